"""Letters: required content, PDF and hash, large print, delivery by email or post, frozen once sent."""

import hashlib
import shutil
import subprocess
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts.models import PreferredContact, PreferredFormat
from complaints import printing
from complaints import services as complaint_services
from complaints.models import Event, EventKind, Status
from ombudsman import delivery, letters, services, sweep
from ombudsman.models import Delivery, FrozenLetterError, Letter, LetterKind, LetterStatus, Scheme
from tests.ombudsman.conftest import file_due_complaint


def deliver(letter):
    delivery.deliver(letter.pk)
    letter.refresh_from_db()
    return letter


def pages(page):
    from weasyprint import HTML

    return len(HTML(string=page).render().pages)


@pytest.fixture
def adr_letter(customer):
    complaint = file_due_complaint(customer)
    return services.create_adr_letter(complaint=complaint)


@pytest.mark.parametrize(("phrase", "element"), [
    ("TRACKING", "the tracking number"),
    ("RECEIVED", "the date the complaint was received"),
    ("Office of the Telecommunications Ombudsman (Otelo)", "the scheme's name"),
    ("www.ombudsman-services.org", "the scheme's website"),
    ("0845 050 1614", "the scheme's phone number"),
    ("WA4 6WU", "the scheme's postal address"),
    ("free", "that the scheme is free"),
    ("independent", "that the scheme is independent"),
    ("If you accept its decision, we must do what it says", "that a decision the customer accepts is binding on us"),
    ("You do not have to accept it", "that the customer is not bound"),
    ("12 months from the date of this letter", "the time to refer (12 months from the letter's date)"),
])
def test_a_letter_lacking_a_required_element_is_refused(adr_letter, phrase, element):
    complaint = adr_letter.complaint
    phrase = {"TRACKING": complaint.tracking_number, "RECEIVED": letters.uk_date(complaint.received_on)}.get(
        phrase, phrase
    )
    check = dict(complaint=complaint, scheme=adr_letter.scheme_details, letter_date=adr_letter.letter_date,
                 refer_by=adr_letter.refer_by)
    assert letters.missing_elements(adr_letter.text, **check) == []
    assert letters.missing_elements(letters.html_to_text(adr_letter.html), **check) == []
    assert letters.missing_elements(adr_letter.text.replace(phrase, "..."), **check) == [element]


def test_deadlock_is_refused_with_a_clear_error_when_the_scheme_lacks_a_phone(customer, agent):
    complaint = file_due_complaint(customer)
    Scheme.objects.filter(is_provider_scheme=True).update(phone="")
    with pytest.raises(letters.LetterContentError, match="the scheme's phone number"):
        services.declare_deadlock(complaint=complaint, actor=agent, reason="Final position.")
    complaint.refresh_from_db()
    assert complaint.status != Status.DEADLOCK
    assert not Letter.objects.exists()
    assert not Event.objects.filter(kind=EventKind.DEADLOCK).exists()


def test_a_template_that_drops_a_required_statement_is_refused(customer, agent, settings, tmp_path):
    override = tmp_path / "ombudsman" / "letters"
    override.mkdir(parents=True)
    original = (settings.BASE_DIR / "templates/ombudsman/letters/deadlock.txt").read_text()
    (override / "deadlock.txt").write_text(original.replace(
        '{% include "ombudsman/letters/_scheme.txt" %}', "Call {{ scheme.name }} on {{ scheme.phone }}."
    ))
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    complaint = file_due_complaint(customer)
    with pytest.raises(letters.LetterContentError) as refused:
        services.declare_deadlock(complaint=complaint, actor=agent, reason="Final position.")
    assert "that the scheme is free" in str(refused.value)
    assert "not bound" in str(refused.value)


def test_deadlock_writes_its_letter_in_the_same_transaction_and_a_task_sends_it(
    customer, agent, django_capture_on_commit_callbacks
):
    complaint = file_due_complaint(customer, days_ago=3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        letter = services.declare_deadlock(complaint=complaint, actor=agent, reason="We cannot refund the plan.")
    letter.refresh_from_db()
    assert letter.kind == LetterKind.DEADLOCK
    assert letter.status == LetterStatus.SENT
    assert "We cannot refund the plan." in letter.text
    complaint.refresh_from_db()
    assert complaint.status == Status.DEADLOCK
    assert complaint.is_adr_eligible()
    [message] = [m for m in mail.outbox if m.attachments]
    assert message.to == [customer.email]


def test_a_sent_letters_pdf_matches_its_stored_hash(adr_letter):
    mail.outbox.clear()
    letter = deliver(adr_letter)
    assert letter.status == LetterStatus.SENT
    pdf = bytes(letter.pdf)
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == letter.pdf_sha256
    [message] = mail.outbox
    name, attached, mimetype = message.attachments[0]
    assert (name, mimetype) == (letter.filename, "application/pdf")
    assert attached == pdf
    assert message.extra_headers["Message-ID"] == letter.message_id


def test_large_print_letters_for_customers_who_asked(customer):
    customer.support_consent_at = timezone.now()
    customer.preferred_format = PreferredFormat.LARGE_PRINT
    customer.save()
    large = services.create_adr_letter(complaint=file_due_complaint(customer))
    customer.preferred_format = PreferredFormat.STANDARD
    customer.save()
    standard = services.create_adr_letter(complaint=file_due_complaint(customer))

    assert large.large_print and not standard.large_print
    assert "font-size: 18pt" in large.html
    assert "font-size: 11pt" in standard.html
    # Bigger type takes more pages.
    assert pages(large.html) > pages(standard.html)
    assert printing.ensure_pdf(large).startswith(b"%PDF-")


def test_customers_who_prefer_post_get_their_letter_in_the_print_queue(customer, agent):
    customer.preferred_contact = PreferredContact.POST
    customer.save()
    letter = services.create_adr_letter(complaint=file_due_complaint(customer))
    mail.outbox.clear()
    letter = deliver(letter)
    assert (letter.delivery, letter.status) == (Delivery.POST, LetterStatus.PRINT_QUEUED)
    assert letter.pdf_sha256
    assert not mail.outbox
    assert services.mark_letter_posted(letter=letter, actor=agent)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.POSTED and letter.sent_at


def test_an_email_that_fails_for_good_falls_back_to_post(adr_letter, settings):
    settings.EMAIL_BACKEND = "tests.ombudsman.conftest.FlakyBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    letter = deliver(adr_letter)
    assert letter.status == LetterStatus.PENDING
    assert "refused" in letter.last_error
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        letter = deliver(letter)
    assert (letter.delivery, letter.status) == (Delivery.POST, LetterStatus.PRINT_QUEUED)
    assert Event.objects.filter(kind=EventKind.LETTER, summary__contains="the email failed").exists()


def test_a_retried_email_keeps_the_letters_message_id(adr_letter, settings):
    settings.EMAIL_BACKEND = "tests.ombudsman.conftest.FlakyBackend"
    deliver(adr_letter)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        letter = deliver(adr_letter)
    assert letter.status == LetterStatus.SENT
    assert mail.outbox[0].extra_headers["Message-ID"] == adr_letter.message_id


def test_a_letter_is_delivered_once_even_if_asked_twice(adr_letter):
    mail.outbox.clear()
    assert delivery.deliver(adr_letter.pk) == LetterStatus.SENT
    assert delivery.deliver(adr_letter.pk) is None
    assert len(mail.outbox) == 1


def test_a_sent_letter_is_frozen(adr_letter):
    letter = deliver(adr_letter)
    letter.text = "Something else"
    with pytest.raises(FrozenLetterError):
        letter.save()
    with pytest.raises(FrozenLetterError):
        letter.delete()
    with pytest.raises(FrozenLetterError):
        Letter.objects.all().delete()
    letter.refresh_from_db()
    assert "Something else" not in letter.text


def test_the_database_allows_one_letter_of_a_kind_per_complaint(adr_letter):
    duplicate = letters.write(complaint=adr_letter.complaint, kind=LetterKind.ADR)
    with pytest.raises(IntegrityError):
        duplicate.save()


def test_customers_read_their_letters_on_the_complaint_page(client, customer, adr_letter):
    client.force_login(customer)
    page = client.get(adr_letter.complaint.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    pdf_url = reverse("ombudsman:letter_pdf", args=[adr_letter.complaint.tracking_number, adr_letter.pk])
    assert pdf_url in html
    assert "Letter: you can now take your complaint to the ombudsman" in html
    assert "You do not have to accept it" in html

    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    adr_letter.refresh_from_db()
    assert hashlib.sha256(response.content).hexdigest() == adr_letter.pdf_sha256


def test_other_customers_cannot_download_a_letter(client, other_customer, adr_letter):
    client.force_login(other_customer)
    url = reverse("ombudsman:letter_pdf", args=[adr_letter.complaint.tracking_number, adr_letter.pk])
    assert client.get(url).status_code == 404


def test_staff_can_download_a_letter(client, agent, adr_letter):
    client.force_login(agent)
    url = reverse("ombudsman:letter_pdf", args=[adr_letter.complaint.tracking_number, adr_letter.pk])
    # Through the desk's route, which records that they opened it.
    response = client.get(url, follow=True)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def rename_the_scheme_after_writing(letter):
    """Change the scheme's name and phone once the letter is written but before it is sent."""
    assert letter.status == LetterStatus.PENDING
    Scheme.objects.filter(pk=letter.scheme_id).update(name="Comms Disputes Board", phone="0330 440 1614")
    return deliver(letter)


def test_an_emailed_letter_quotes_the_scheme_as_it_was_when_written(adr_letter):
    mail.outbox.clear()
    rename_the_scheme_after_writing(adr_letter)
    [message] = mail.outbox
    assert "Office of the Telecommunications Ombudsman (Otelo)" in message.body
    assert "0845 050 1614" in message.body
    assert "Comms Disputes Board" not in message.body
    assert "0330 440 1614" not in message.body


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="reading the PDF needs pdftotext (poppler-utils)")
def test_a_letters_pdf_quotes_the_scheme_as_it_was_when_written(adr_letter):
    letter = rename_the_scheme_after_writing(adr_letter)
    pdf = subprocess.run(["pdftotext", "-", "-"], input=bytes(letter.pdf), capture_output=True, check=True)
    text = " ".join(pdf.stdout.decode().split())
    assert "Office of the Telecommunications Ombudsman (Otelo)" in text
    assert "0845 050 1614" in text
    assert "Comms Disputes Board" not in text
    assert "0330 440 1614" not in text


def test_sweep_writes_the_letter_event_the_customer_sees(customer):
    complaint = file_due_complaint(customer)
    sweep.run()
    event = Event.objects.get(complaint=complaint, kind=EventKind.LETTER)
    assert event.visible_to_customer


def test_a_complaint_in_deadlock_again_keeps_its_one_deadlock_letter(customer, agent):
    # Found by tests/clock/test_states_agree.py: the second deadlock crashed on the one-letter-a-kind constraint.
    complaint = file_due_complaint(customer)
    first = services.declare_deadlock(complaint=complaint, actor=agent, reason="Our final position.")
    complaint_services.resolve_complaint(complaint=complaint, agent=agent, summary="Settled.", upheld="upheld")
    complaint_services.reopen_complaint(complaint=complaint, actor=agent, reason="The customer came back.")

    again = services.declare_deadlock(complaint=complaint, actor=agent, reason="Still our final position.")

    complaint.refresh_from_db()
    assert again is None and complaint.status == "deadlock"
    assert list(complaint.letters.values_list("pk", flat=True)) == [first.pk]
