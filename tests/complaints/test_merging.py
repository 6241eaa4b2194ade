"""Merging a customer's duplicate complaints (issue 15): one complaint carries on, the other
points to it.

The survivor counts from the first time the customer complained, and ADR never opens later
than it did on either complaint; no letter already owed is lost and none is written twice
(the real sweep writes them); the customer is told; the duplicate's number leads its owner
to the survivor, whose page shows both timelines; the rules refuse what would be unsafe.
"""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import CustomerType, PreferredContact
from clock import ClockState
from complaints import services
from complaints.models import Channel, EmailKind, Event, EventKind, PostalKind, Status
from complaints.services import TransitionNotAllowed
from ombudsman import services as adr_services
from ombudsman import sweep
from ombudsman.models import Letter, LetterKind, WaitingPeriodPolicy
from tests.complaints.conftest import log_in, pdf
from tests.conftest import file_complaint
from tests.ombudsman.conftest import uk

SECOND_NOTE = "I rang about this as well."


def filed(customer, moment, **overrides):
    with time_machine.travel(moment, tick=False):
        return file_complaint(customer, **overrides)


def merge(survivor, duplicate, agent, at):
    with time_machine.travel(at, tick=False):
        return services.merge_complaints(survivor=survivor, duplicate=duplicate, actor=agent)


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        sweep.run()


@pytest.fixture
def web_and_phone(customer):
    """The customer complained on the web on 2 March 2026, then by phone on 20 March."""
    web = filed(customer, uk(2026, 3, 2, 10), description="Meetings drop every ten minutes.")
    phone = filed(customer, uk(2026, 3, 20, 15), channel=Channel.PHONE, description=SECOND_NOTE)
    return web, phone


# --- the clock -----------------------------------------------------------------------------


def test_the_survivor_takes_the_duplicates_earlier_date_and_earlier_adr_date(web_and_phone, agent):
    web, phone = web_and_phone

    survivor = merge(phone, web, agent, at=uk(2026, 4, 1, 9))

    survivor.refresh_from_db()
    assert survivor.received_at == uk(2026, 3, 2, 10)
    assert survivor.adr_opens_at == uk(2026, 4, 27)  # was 15 May
    assert survivor.adr_letter_pending


def test_the_survivor_received_first_keeps_its_date(web_and_phone, agent):
    web, phone = web_and_phone

    merge(web, phone, agent, at=uk(2026, 4, 1, 9))

    web.refresh_from_db()
    assert (web.received_at, web.adr_opens_at) == (uk(2026, 3, 2, 10), uk(2026, 4, 27))


def test_across_a_policy_change_adr_opens_no_later_than_on_either_complaint(customer, agent):
    # 56 days until 31 May 2026, 42 from 1 June.
    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 6, 1), days=42)
    first = filed(customer, uk(2026, 5, 30, 10))  # ADR opens 25 July
    second = filed(customer, uk(2026, 6, 2, 10))  # ADR opens 14 July

    merge(second, first, agent, at=uk(2026, 6, 3, 9))

    second.refresh_from_db()
    assert (second.received_at, second.waiting_period_days) == (uk(2026, 5, 30, 10), 42)
    assert second.adr_opens_at == uk(2026, 7, 11)


def test_the_duplicate_closes_points_to_the_survivor_and_cannot_be_reopened(web_and_phone, agent):
    web, phone = web_and_phone

    merge(web, phone, agent, at=uk(2026, 4, 1, 9))

    phone.refresh_from_db()
    assert (phone.status, phone.merged_into, phone.closed_at) == (Status.MERGED, web, uk(2026, 4, 1, 9))
    assert not phone.adr_letter_pending and phone.is_closed
    assert not phone.is_adr_eligible(uk(2026, 6, 1))  # the right is the survivor's
    for complaint, words in ((web, phone.tracking_number), (phone, web.tracking_number)):
        event = Event.objects.get(complaint=complaint, kind=EventKind.MERGED)
        assert event.visible_to_customer and event.actor == agent and words in event.summary
    with pytest.raises(TransitionNotAllowed):
        services.reopen_complaint(complaint=phone, actor=agent, reason="Try to undo it")


# --- the letters, through the real sweep -----------------------------------------------------


def test_a_letter_owed_on_the_duplicate_is_written_for_the_survivor_when_due(web_and_phone, agent):
    web, phone = web_and_phone
    merge(phone, web, agent, at=uk(2026, 4, 1, 9))

    sweep_at(uk(2026, 4, 26, 23, 59))
    assert not Letter.objects.exists()
    sweep_at(uk(2026, 4, 27))

    letter = Letter.objects.get()
    assert (letter.complaint, letter.kind) == (phone, LetterKind.ADR)
    assert phone.tracking_number in letter.text and "2 March 2026" in letter.text


def test_a_letter_written_on_the_duplicate_is_not_written_again_for_the_survivor(customer, agent):
    web = filed(customer, uk(2026, 3, 2, 10))
    sweep_at(uk(2026, 4, 27, 0, 5))
    first_letter = Letter.objects.get()
    with time_machine.travel(uk(2026, 4, 28, 9), tick=False):
        phone = file_complaint(customer, received_at=uk(2026, 4, 20, 10), channel=Channel.PHONE, logged_by=agent,
                               backdate_reason="The customer rang on 20 April.")

    survivor = merge(phone, web, agent, at=uk(2026, 4, 28, 10))
    sweep_at(uk(2026, 4, 28, 11))
    sweep_at(uk(2026, 6, 16))

    assert list(Letter.objects.all()) == [first_letter]
    survivor.refresh_from_db()
    assert survivor.customer_told_at == first_letter.created_at and survivor.refer_by == first_letter.refer_by
    assert survivor.clock_state(uk(2026, 6, 16)) == ClockState.CUSTOMER_TOLD
    assert survivor.is_adr_eligible(uk(2026, 6, 16))


# --- telling the customer --------------------------------------------------------------------


def test_the_customer_is_emailed_which_tracking_number_to_use(web_and_phone, customer, agent):
    web, phone = web_and_phone

    merge(phone, web, agent, at=uk(2026, 4, 1, 9))

    email = phone.emails.get(kind=EmailKind.STATUS)
    assert email.to == customer.email
    assert email.subject == (f"Your complaints {web.tracking_number} and {phone.tracking_number} are now one "
                             "complaint")
    text = " ".join(email.text_body.split())
    assert f"we have joined them into one complaint: {phone.tracking_number}" in text
    assert "Please use this tracking number from now on; the other one still leads to it." in text
    assert "We count from the first time you told us, on 2 March 2026." in text
    assert "If we have not resolved your complaint by 27 April 2026, you can take it to the Office" in text
    assert f"/complaints/{phone.tracking_number}/" in text
    assert web.tracking_number in email.html_body and "27 April 2026" in email.html_body


def test_a_customer_who_prefers_post_gets_a_letter(web_and_phone, customer, agent):
    customer.preferred_contact = PreferredContact.POST
    customer.save()
    web, phone = web_and_phone

    merge(phone, web, agent, at=uk(2026, 4, 1, 9))

    letter = phone.postal_letters.get(kind=PostalKind.MESSAGE)
    assert f"Your complaints {web.tracking_number} and {phone.tracking_number} are now one complaint" in letter.html
    assert not phone.emails.filter(kind=EmailKind.STATUS).exists()


# --- refusals --------------------------------------------------------------------------------


def refused(survivor, duplicate, agent, match):
    merges = Event.objects.filter(kind=EventKind.MERGED).count()
    with pytest.raises(ValidationError, match=match):
        services.merge_complaints(survivor=survivor, duplicate=duplicate, actor=agent)
    assert Event.objects.filter(kind=EventKind.MERGED).count() == merges


def test_two_customers_complaints_are_not_merged(customer, other_customer, agent):
    refused(file_complaint(customer), file_complaint(other_customer), agent, "another customer's complaint")


def test_a_complaint_is_not_merged_into_itself(complaint, agent):
    refused(complaint, complaint, agent, "cannot be merged into itself")


def test_a_second_merge_of_the_same_pair_is_refused_and_changes_nothing(web_and_phone, agent):
    web, phone = web_and_phone
    merge(web, phone, agent, at=uk(2026, 4, 1, 9))

    with pytest.raises(ValidationError) as excinfo:
        services.merge_complaints(survivor=web, duplicate=phone, actor=agent)

    assert excinfo.value.code == "already_merged"
    assert Event.objects.filter(kind=EventKind.MERGED).count() == 2
    assert web.emails.filter(kind=EmailKind.STATUS).count() == 1


def test_a_merged_complaint_and_one_with_duplicates_are_never_merged_again(customer, agent):
    first, second, third = (filed(customer, uk(2026, 3, day, 10)) for day in (2, 3, 4))
    merge(first, second, agent, at=uk(2026, 3, 5, 9))

    refused(third, second, agent, "merged into another complaint already")
    refused(second, third, agent, "merged into another complaint already")
    refused(third, first, agent, "Other complaints were merged into")


def test_a_closed_complaint_is_not_merged(web_and_phone, customer, agent):
    web, phone = web_and_phone
    services.withdraw_complaint(complaint=phone, customer=customer)

    refused(web, phone, agent, "is withdrawn: only open complaints")
    refused(phone, web, agent, "is withdrawn: only open complaints")


def test_complaints_received_with_different_adr_rights_are_not_merged(customer, agent):
    before = filed(customer, uk(2026, 3, 2, 10))
    customer.customer_type, customer.business_name, customer.business_workers = CustomerType.BUSINESS, "Co", 50
    customer.save()
    after = filed(customer, uk(2026, 3, 3, 10))

    refused(before, after, agent, "different rights to ADR")


def test_a_duplicate_with_the_ombudsman_is_refused_saying_to_merge_the_other_way(customer, agent):
    web = filed(customer, uk(2026, 3, 2, 10))
    phone = filed(customer, uk(2026, 3, 20, 10))
    with time_machine.travel(uk(2026, 5, 1, 10), tick=False):
        adr_services.record_referral(complaint=web, actor=customer, referred_on=date(2026, 5, 1))

        refused(phone, web, agent, f"merge {phone.tracking_number} into {web.tracking_number} instead")
        services.merge_complaints(survivor=web, duplicate=phone, actor=agent)


def test_a_deadlocked_duplicate_merges_only_into_a_deadlocked_complaint(web_and_phone, agent):
    web, phone = web_and_phone
    adr_services.declare_deadlock(complaint=web, actor=agent, reason="Our final position.")

    refused(phone, web, agent, "never sent a second deadlock letter")


# --- the customer's pages --------------------------------------------------------------------


@pytest.fixture
def merged_pair(customer, agent):
    """The customer rang on 2 March (an agent logged it, with a file; they wrote on it and had its
    ADR letter), then complained on the web on 28 April: the phone complaint is merged into the
    web one."""
    phone = filed(customer, uk(2026, 3, 2, 10), channel=Channel.PHONE, logged_by=agent,
                  attachments=[pdf("phone bill.pdf")])
    with time_machine.travel(uk(2026, 3, 3, 10), tick=False):
        services.add_customer_message(complaint=phone, customer=customer, body="Any news since I rang?")
    sweep_at(uk(2026, 4, 27, 0, 5))
    web = filed(customer, uk(2026, 4, 28, 9), attachments=[pdf("web bill.pdf")])
    merge(web, phone, agent, at=uk(2026, 4, 28, 10))
    return web, phone


def test_the_survivors_page_shows_both_timelines_files_and_letters(client, customer, merged_pair):
    web, phone = merged_pair

    response = log_in(client, customer).get(reverse("complaints:detail", args=[web.tracking_number]))

    assertContains(response, "Any news since I rang?")
    assertContains(response, f"on complaint {phone.tracking_number}")
    assertContains(response, "We recorded your complaint, made by phone")  # the duplicate's own channel
    assertContains(response, f"We joined your complaint {phone.tracking_number} with this one", count=1)
    assertNotContains(response, "We joined this complaint with")  # the duplicate's side of it says the same
    for name in ("web bill.pdf", "phone bill.pdf"):
        assertContains(response, name, count=2)  # in the list and on its timeline event
    phone_file = phone.attachments.get()
    assertContains(response, reverse("complaints:attachment", args=[web.tracking_number, phone_file.pk]))
    letter = phone.letters.get()
    assertContains(response, reverse("ombudsman:letter_pdf", args=[phone.tracking_number, letter.pk]))
    assert client.get(reverse("complaints:attachment", args=[web.tracking_number, phone_file.pk])).status_code == 200


def test_the_duplicates_number_leads_its_owner_to_the_survivor(client, customer, merged_pair):
    web, phone = merged_pair

    response = log_in(client, customer).get(reverse("complaints:detail", args=[phone.tracking_number]))

    assertRedirects(response, reverse("complaints:detail", args=[web.tracking_number]))
    assertContains(client.get(reverse("complaints:mine")), f"Joined with {web.tracking_number}")


def test_the_duplicates_number_is_a_404_for_another_customer(client, other_customer, merged_pair):
    _web, phone = merged_pair

    response = log_in(client, other_customer).get(reverse("complaints:detail", args=[phone.tracking_number]))

    assert response.status_code == 404


def test_tracking_the_duplicates_number_shows_the_survivor(customer, other_customer, merged_pair):
    web, phone = merged_pair
    track = reverse("complaints:track")

    response = Client().post(track, {"tracking_number": phone.tracking_number, "email": customer.email})

    assertContains(response, f'<span class="tracking-number">{web.tracking_number}</span>', count=1)
    assertContains(response, "we joined it with this one")
    refused = Client().post(track, {"tracking_number": phone.tracking_number, "email": other_customer.email})
    assertNotContains(refused, web.tracking_number)
