"""The complaint workflows the desk calls, each writing its timeline event."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import PreferredContact
from complaints import printing, services
from complaints.models import EmailKind, EventKind, PostalKind, PostalLetter, PostStatus, Status, Upheld
from complaints.services import TransitionNotAllowed
from ombudsman.models import Scheme
from tests.conftest import file_complaint

OUTCOME = {"upheld": Upheld.PARTLY, "apology": True, "explanation": False,
           "credit_amount": Decimal("15.00"), "refund_amount": Decimal("0.00")}


def last_event(complaint):
    return complaint.events.order_by("-created_at", "-id").first()


def test_assigning_records_who_and_is_hidden_from_the_customer(complaint, agent, manager):
    services.assign_complaint(complaint=complaint, agent=agent, actor=manager)

    complaint.refresh_from_db()
    event = last_event(complaint)
    assert complaint.assigned_to == agent
    assert (event.kind, event.actor, event.summary) == (EventKind.ASSIGNED, manager, "Assigned to Alex Agent")
    assert event.data == {"from": None, "to": agent.pk}
    assert not event.visible_to_customer


def test_unassigning_records_the_previous_agent(complaint, agent):
    services.assign_complaint(complaint=complaint, agent=agent, actor=agent)
    services.assign_complaint(complaint=complaint, agent=None, actor=agent)

    complaint.refresh_from_db()
    assert complaint.assigned_to is None
    assert last_event(complaint).data == {"from": agent.pk, "to": None}


def test_a_staff_message_is_shown_and_emailed(complaint, agent):
    event = services.add_staff_message(complaint=complaint, agent=agent, body="We are checking your bill.")

    assert event.visible_to_customer and event.kind == EventKind.MESSAGE
    email = complaint.emails.get(kind=EmailKind.REPLY)
    assert email.to == "dana.customer@example.com"


def test_a_staff_message_to_a_customer_who_prefers_post_goes_to_the_print_queue(customer, agent):
    customer.preferred_contact = PreferredContact.POST
    customer.save()
    complaint = file_complaint(customer)

    event = services.add_staff_message(complaint=complaint, agent=agent, body="We are checking your bill.")

    assert not complaint.emails.exists()
    letter = complaint.postal_letters.get(kind=PostalKind.MESSAGE)
    assert letter.event == event and "We are checking your bill." in letter.html
    assert letter.status == PostStatus.PRINT_QUEUED


def test_an_internal_note_is_never_shown_or_sent(complaint, agent):
    event = services.add_internal_note(complaint=complaint, agent=agent, body="Checked billing.")

    assert not event.visible_to_customer and event.kind == EventKind.NOTE
    assert not complaint.emails.filter(kind=EmailKind.REPLY).exists()


def test_asking_for_information_messages_the_customer_and_waits_on_them(complaint, agent):
    services.request_information(complaint=complaint, agent=agent, body="Which invoice?")

    complaint.refresh_from_db()
    assert complaint.status == Status.AWAITING_CUSTOMER
    assert complaint.events.filter(kind=EventKind.MESSAGE, body="Which invoice?").exists()
    assert complaint.emails.filter(kind=EmailKind.REPLY).exists()


def test_a_proposal_keeps_the_complaint_open_and_is_the_current_proposal(complaint, agent, root_cause):
    event = services.propose_resolution(complaint=complaint, agent=agent, proposal="A £15 credit.",
                                        root_cause=root_cause, **OUTCOME)

    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLUTION_PROPOSED and not complaint.is_closed
    assert services.current_proposal(complaint) == event
    assert event.summary == "Proposed resolution" and event.visible_to_customer


def test_accepting_a_proposal_resolves_with_the_proposed_outcome(complaint, agent, customer, root_cause):
    services.assign_complaint(complaint=complaint, agent=agent, actor=agent)
    services.propose_resolution(complaint=complaint, agent=agent, proposal="A £15 credit.",
                                root_cause=root_cause, **OUTCOME)

    services.accept_resolution(complaint=complaint, customer=customer)

    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED and complaint.closed_at
    assert (complaint.resolution_summary, complaint.upheld, complaint.root_cause) == (
        "A £15 credit.", Upheld.PARTLY, root_cause)
    assert complaint.remedy_apology and complaint.credit_amount == Decimal("15.00")
    assert last_event(complaint).actor == customer
    alert = complaint.emails.get(to=agent.email)
    assert alert.subject == f"{complaint.tracking_number}: The customer accepted the proposed resolution"


def test_there_is_nothing_to_accept_or_reject_without_a_proposal(complaint, customer):
    with pytest.raises(TransitionNotAllowed):
        services.accept_resolution(complaint=complaint, customer=customer)
    with pytest.raises(TransitionNotAllowed):
        services.reject_resolution(complaint=complaint, customer=customer, reason="No.")


def test_rejecting_keeps_it_open_and_tells_the_assigned_agent(complaint, agent, customer, root_cause):
    services.assign_complaint(complaint=complaint, agent=agent, actor=agent)
    services.propose_resolution(complaint=complaint, agent=agent, proposal="An apology.",
                                root_cause=root_cause, **OUTCOME)

    services.reject_resolution(complaint=complaint, customer=customer, reason="I want a refund.")

    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATING
    assert services.current_proposal(complaint) is None
    assert "I want a refund." in last_event(complaint).body
    alert = complaint.emails.get(to=agent.email)
    assert alert.subject == f"{complaint.tracking_number}: The customer rejected the proposed resolution"
    assert "I want a refund." in alert.text_body
    assert f"/admin/complaints/complaint/{complaint.pk}/change/" in alert.text_body


def test_asking_for_a_deadlock_letter_is_recorded_once_and_tells_the_agent(complaint, agent, customer):
    services.assign_complaint(complaint=complaint, agent=agent, actor=agent)

    event = services.request_deadlock_letter(complaint=complaint, customer=customer, reason="We are stuck.")

    complaint.refresh_from_db()
    assert complaint.deadlock_requested_at is not None
    assert event.data == {"deadlock_requested": True} and event.actor == customer
    assert complaint.emails.filter(to=agent.email).count() == 1
    with pytest.raises(TransitionNotAllowed):
        services.request_deadlock_letter(complaint=complaint, customer=customer, reason="Again.")


def test_no_deadlock_letter_request_without_adr_rights_or_on_a_closed_complaint(large_business_customer, customer):
    business_complaint = file_complaint(large_business_customer)
    with pytest.raises(TransitionNotAllowed):
        services.request_deadlock_letter(complaint=business_complaint, customer=large_business_customer, reason="")
    closed = file_complaint(customer)
    services.withdraw_complaint(complaint=closed, customer=customer)
    with pytest.raises(TransitionNotAllowed):
        services.request_deadlock_letter(complaint=closed, customer=customer, reason="")


def test_resolving_records_the_outcome_and_tells_the_customer_about_the_scheme(complaint, agent, root_cause):
    Scheme.objects.filter(pk=Scheme.objects.provider_scheme().pk).update(name="Renamed Telecoms Ombudsman")

    services.resolve_complaint(complaint=complaint, agent=agent, summary="We refunded the duplicate charge.",
                               root_cause=root_cause, **{**OUTCOME, "refund_amount": Decimal("30.00")})

    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert complaint.refund_amount == Decimal("30.00") and complaint.root_cause == root_cause
    answer = complaint.events.get(data__final_answer=True)
    assert "We refunded the duplicate charge." in answer.body
    assert "ask the Renamed Telecoms Ombudsman to look at your complaint" in answer.body
    assert "free" in answer.body and "independent" in answer.body
    assert complaint.emails.filter(kind=EmailKind.STATUS).exists()


def test_a_final_answer_to_a_customer_who_prefers_post_is_printed(customer, agent, root_cause):
    customer.preferred_contact = PreferredContact.POST
    customer.save()
    complaint = file_complaint(customer)

    services.resolve_complaint(complaint=complaint, agent=agent, summary="We refunded it.", root_cause=root_cause,
                               **OUTCOME)

    letter = complaint.postal_letters.get(kind=PostalKind.FINAL_ANSWER)
    assert "We refunded it." in letter.html and "free" in letter.html


def test_reopening_needs_a_reason_and_keeps_the_clock(complaint, agent, root_cause):
    services.resolve_complaint(complaint=complaint, agent=agent, summary="Done.", root_cause=root_cause, **OUTCOME)
    opens_at = complaint.adr_opens_at

    with pytest.raises(ValueError):
        services.reopen_complaint(complaint=complaint, actor=agent, reason="  ")
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        services.reopen_complaint(complaint=complaint, actor=agent, reason="The fault came back.")

    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATING and complaint.closed_at is None
    assert complaint.adr_opens_at == opens_at
    assert last_event(complaint).kind == EventKind.REOPENED


def test_correcting_the_date_received_moves_the_clock_and_is_audited(complaint, agent):
    earlier = complaint.received_at - timedelta(days=10)

    with pytest.raises(ValidationError, match="Say why"):
        services.change_received_date(complaint=complaint, received_at=earlier, reason="", actor=agent)
    services.change_received_date(complaint=complaint, received_at=earlier, reason="First phoned on that day.",
                                  actor=agent)

    complaint.refresh_from_db()
    assert complaint.received_at == earlier
    assert complaint.adr_deadline_date == complaint.received_on + timedelta(days=56)
    event = last_event(complaint)
    assert event.kind == EventKind.RECEIVED_DATE_CHANGED and event.body == "First phoned on that day."


def test_change_status_refuses_what_the_rules_forbid_and_records_what_they_allow(complaint, agent):
    services.change_status(complaint=complaint, to=Status.ACKNOWLEDGED, actor=agent)
    with pytest.raises(TransitionNotAllowed):
        services.change_status(complaint=complaint, to=Status.ACKNOWLEDGED, actor=agent)

    complaint.refresh_from_db()
    assert complaint.acknowledged_at is not None
    assert last_event(complaint).kind == EventKind.ACKNOWLEDGED


def test_an_agent_logging_a_backdated_complaint_must_say_why(customer, agent):
    two_days_ago = timezone.now() - timedelta(days=2)

    with pytest.raises(ValueError):
        file_complaint(customer, received_at=two_days_ago, logged_by=agent)
    complaint = file_complaint(customer, received_at=two_days_ago, logged_by=agent,
                               backdate_reason="They phoned on Monday; logged today.")

    audit = complaint.events.get(kind=EventKind.RECEIVED_DATE_CHANGED)
    assert audit.actor == agent and audit.body == "They phoned on Monday; logged today."
    assert not audit.visible_to_customer


def test_an_agent_cannot_log_a_complaint_received_in_the_future(customer, agent):
    with pytest.raises(ValueError):
        file_complaint(customer, received_at=timezone.now() + timedelta(hours=1), logged_by=agent)


def test_a_customer_who_prefers_post_is_acknowledged_by_a_letter_in_the_print_queue(customer):
    customer.preferred_contact = PreferredContact.POST
    customer.save()

    complaint = file_complaint(customer)

    letter = complaint.postal_letters.get()
    assert letter.kind == PostalKind.ACKNOWLEDGEMENT and letter.status == PostStatus.PRINT_QUEUED
    assert complaint.tracking_number in letter.html and "1 High Street" in letter.html
    assert not complaint.emails.exists()


def test_the_acknowledgement_pdf_is_made_once_and_kept(customer):
    customer.preferred_contact = PreferredContact.POST
    customer.save()
    letter = file_complaint(customer).postal_letters.get()

    pdf = printing.ensure_pdf(letter)

    stored = PostalLetter.objects.get(pk=letter.pk)
    assert pdf.startswith(b"%PDF") and bytes(stored.pdf) == pdf
    assert stored.pdf_sha256 == PostalLetter.hash_of(pdf)
    assert printing.ensure_pdf(stored) == pdf


def test_marking_a_letter_posted_records_it_once(customer, agent):
    customer.preferred_contact = PreferredContact.POST
    customer.save()
    complaint = file_complaint(customer)
    letter = complaint.postal_letters.get()

    assert services.mark_letter_posted(letter=letter, actor=agent)
    assert not services.mark_letter_posted(letter=letter, actor=agent)

    letter.refresh_from_db()
    assert letter.status == PostStatus.POSTED and letter.posted_by == agent
    assert complaint.events.filter(summary="Acknowledgement letter posted").count() == 1
    assert len(mail.outbox) == 0
