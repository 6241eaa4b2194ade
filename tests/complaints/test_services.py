from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from clock import UK
from complaints import outbox, services
from complaints.models import Complaint, EmailKind, EmailStatus, Event, EventKind, OutgoingEmail, Status
from ombudsman.models import WaitingPeriodPolicy
from tests.conftest import file_complaint


@time_machine.travel(datetime(2027, 1, 17, 23, 30, tzinfo=UK), tick=False)
def test_filing_fixes_the_clock_from_the_uk_day_of_receipt(customer):
    complaint = file_complaint(customer)

    assert complaint.waiting_period_days == 56
    assert complaint.adr_rights is True
    assert complaint.received_on == date(2027, 1, 17)
    assert complaint.adr_opens_at == datetime(2027, 3, 14, 0, 0, tzinfo=UK)
    assert complaint.status == Status.RECEIVED


@time_machine.travel(datetime(2026, 9, 1, 10, 0, tzinfo=UK), tick=False)
def test_filing_takes_the_waiting_period_in_force_on_the_day_of_receipt(customer):
    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 8, 1), days=42)

    complaint = file_complaint(customer)

    assert complaint.waiting_period_days == 42
    assert complaint.adr_opens_at == datetime(2026, 10, 13, 0, 0, tzinfo=UK)


def test_filing_for_a_large_business_fixes_no_adr_rights(large_business_customer):
    complaint = file_complaint(large_business_customer)

    assert complaint.adr_rights is False
    assert complaint.adr_letter_pending is False


def test_filing_writes_the_filed_event_and_the_acknowledgement(customer):
    complaint = file_complaint(customer)

    event = complaint.events.get()
    assert event.kind == EventKind.FILED
    assert event.actor == customer
    email = OutgoingEmail.objects.get(complaint=complaint)
    assert email.kind == EmailKind.ACKNOWLEDGEMENT
    assert email.to == customer.email
    assert email.status == EmailStatus.PENDING
    assert complaint.tracking_number in email.subject
    assert complaint.tracking_number in email.text_body


def test_filing_is_all_or_nothing_when_the_acknowledgement_cannot_be_written(customer, monkeypatch):
    def broken_template(template, context):
        raise RuntimeError("template broken")

    monkeypatch.setattr(outbox, "render_email", broken_template)

    with pytest.raises(RuntimeError):
        file_complaint(customer)

    assert not Complaint.objects.exists()
    assert not Event.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_the_acknowledgement_is_delivered_once_the_complaint_commits(customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file_complaint(customer)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [customer.email]
    assert OutgoingEmail.objects.get(complaint=complaint).status == EmailStatus.SENT


def test_no_acknowledgement_email_for_a_customer_who_prefers_post(customer):
    customer.preferred_contact = "post"
    customer.save()

    complaint = file_complaint(customer)

    assert not complaint.emails.exists()


def test_change_status_refuses_a_move_the_rules_do_not_allow(complaint, agent):
    services.change_status(complaint=complaint, to=Status.RESOLVED, actor=agent)

    with pytest.raises(services.TransitionNotAllowed):
        services.change_status(complaint=complaint, to=Status.DEADLOCK, actor=agent)

    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED


def test_change_status_records_the_move(complaint, agent):
    services.change_status(complaint=complaint, to=Status.ACKNOWLEDGED, actor=agent)

    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.acknowledged_at is not None
    event = complaint.events.latest("created_at", "id")
    assert (event.kind, event.actor, event.data) == (
        EventKind.ACKNOWLEDGED, agent, {"from": "received", "to": "acknowledged"})


def test_reopening_keeps_the_clock(customer, agent):
    with time_machine.travel(datetime(2027, 1, 10, 9, 0, tzinfo=UK), tick=False):
        complaint = file_complaint(customer)
        adr_opens_at = complaint.adr_opens_at
        services.change_status(complaint=complaint, to=Status.RESOLVED, actor=agent)

    with time_machine.travel(datetime(2027, 4, 1, 9, 0, tzinfo=UK), tick=False):
        services.change_status(complaint=complaint, to=Status.INVESTIGATING, actor=agent, reason="Fault is back.")
        complaint.refresh_from_db()
        assert complaint.adr_opens_at == adr_opens_at
        assert complaint.closed_at is None
        assert complaint.events.latest("created_at", "id").kind == EventKind.REOPENED
        # Reopened after its deadline: past the waiting period at once.
        assert complaint.is_adr_eligible()


def test_a_customer_reply_puts_a_complaint_waiting_on_them_back_to_investigating(complaint, customer, agent):
    services.change_status(complaint=complaint, to=Status.AWAITING_CUSTOMER, actor=agent)

    services.add_customer_message(complaint=complaint, customer=customer, body="Here is the invoice number.")

    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATING
    kinds = list(complaint.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.MESSAGE, EventKind.STATUS_CHANGED]


def test_a_customer_cannot_reply_to_a_closed_complaint(complaint, customer):
    services.withdraw_complaint(complaint=complaint, customer=customer)

    with pytest.raises(services.TransitionNotAllowed):
        services.add_customer_message(complaint=complaint, customer=customer, body="One more thing.")


def test_a_staff_message_is_emailed_to_the_customer(complaint, agent):
    services.add_staff_message(complaint=complaint, agent=agent, body="We have refunded March.")

    email = complaint.emails.get(kind=EmailKind.REPLY)
    assert "We have refunded March." in email.text_body
    assert complaint.get_absolute_url() in email.text_body


def test_internal_notes_are_not_for_the_customer(complaint, agent):
    services.add_internal_note(complaint=complaint, agent=agent, body="Customer is on the legacy plan.")

    assert not complaint.events.for_customer().filter(kind=EventKind.NOTE).exists()
    assert complaint.events.filter(kind=EventKind.NOTE).count() == 1


def test_withdrawal_closes_the_complaint_with_the_reason(complaint, customer):
    with time_machine.travel(timedelta(days=3)):
        services.withdraw_complaint(complaint=complaint, customer=customer, reason="Sorted now.")

    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN
    assert complaint.closed_at is not None
    event = complaint.events.latest("created_at", "id")
    assert (event.kind, event.body) == (EventKind.WITHDRAWN, "Sorted now.")
