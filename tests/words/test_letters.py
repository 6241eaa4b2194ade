"""The letters' plain words still carry every element the rules require, and the sweep and
deadlock still write every kind of letter (by email, by post, in large print) after the rewording."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import PreferredContact, PreferredFormat
from complaints import printing
from ombudsman import letters, services, sweep
from ombudsman.models import Delivery, Letter, LetterKind
from tests.conftest import file_complaint, make_customer
from tests.words.reading import page_text, pdf_text


def required_elements_missing(letter):
    check = dict(complaint=letter.complaint, scheme=letter.scheme_details, letter_date=letter.letter_date,
                 refer_by=letter.refer_by)
    return (letters.missing_elements(letter.text, **check),
            letters.missing_elements(letters.html_to_text(letter.html), **check),
            letters.missing_elements(pdf_text(printing.ensure_pdf(letter)), **check))


@pytest.fixture
def customers(customer):
    by_post = make_customer("pat.post@example.com", "Pat Post", address="2 Low Road\nYork", postcode="YO1 1AA",
                            preferred_contact=PreferredContact.POST, support_consent_at=timezone.now(),
                            preferred_format=PreferredFormat.LARGE_PRINT)
    return {"by email": customer, "by post, in large print": by_post}


def test_the_sweep_and_deadlock_write_every_kind_of_letter_with_every_required_element(customers, agent):
    long_ago = timezone.now() - timedelta(days=60)
    for who in customers.values():
        file_complaint(who, received_at=long_ago)
        services.declare_deadlock(complaint=file_complaint(who), actor=agent, reason="Our position is final.")

    record = sweep.run()

    assert record.counts["adr_letters"] == len(customers) and not record.errors
    written = Letter.objects.order_by("kind", "delivery")
    assert {(letter.kind, letter.delivery, letter.large_print) for letter in written} == {
        (kind, delivery, delivery == Delivery.POST)
        for kind in (LetterKind.ADR, LetterKind.DEADLOCK) for delivery in (Delivery.EMAIL, Delivery.POST)
    }
    for letter in written:
        assert required_elements_missing(letter) == ([], [], []), letter


def test_the_letter_says_each_right_in_plain_words(customer):
    letter = services.create_adr_letter(complaint=file_complaint(customer,
                                                                 received_at=timezone.now() - timedelta(days=60)))
    text = page_text(letter.html)
    for sentence in ("It is free for you to use.",
                     "It is independent of us. It looks at both sides and decides what is fair.",
                     "If you accept its decision, we must do what it says. You do not have to accept it: if you "
                     "turn it down, you keep your other rights, including going to court.",
                     f"You have 12 months from the date of this letter to take your complaint to Otelo: until "
                     f"{letter.refer_by:%-d %B %Y}."):
        assert sentence in text
    for jargon in ("binding", "alternative dispute resolution", "(ADR)", "refer your complaint"):
        assert jargon not in text
