"""Complaint workflows. Each writes its timeline event in the same transaction as its change."""

from django.db import transaction
from django.utils import timezone

from accounts.models import PreferredContact
from complaints import outbox
from complaints.models import (
    CLOSED_STATUSES,
    Attachment,
    Channel,
    Complaint,
    EmailKind,
    Event,
    EventKind,
    Status,
)
from ombudsman.models import Scheme, WaitingPeriodPolicy


class TransitionNotAllowed(Exception):
    """Raised when a complaint's status may not make the requested move."""


def _complaint_email_context(complaint):
    return {
        "complaint": complaint,
        "customer": complaint.customer,
        "scheme": Scheme.objects.provider_scheme(),
        "complaint_url": outbox.absolute_url(complaint.get_absolute_url()),
    }


@transaction.atomic
def file_complaint(*, customer, product, category, description, desired_outcome,
                   received_at=None, channel=Channel.WEB, statement_date=None,
                   attachments=(), logged_by=None):
    """Record a complaint, fix its clock, and queue its acknowledgement.

    ``received_at`` is the customer's first expression of dissatisfaction (now, for the
    web form). ``logged_by`` is the agent who logged a phone, email or letter complaint.
    """
    complaint = Complaint(
        customer=customer, product=product, category=category, channel=channel,
        description=description, desired_outcome=desired_outcome,
        statement_date=statement_date, received_at=received_at or timezone.now(),
    )
    complaint.fix_clock(
        waiting_period_days=WaitingPeriodPolicy.days_for(complaint.received_on),
        adr_rights=customer.has_adr_rights,
    )
    complaint.save()
    actor = logged_by or customer
    event = Event.objects.create(
        complaint=complaint, kind=EventKind.FILED, actor=actor,
        summary=f"Complaint received by {complaint.get_channel_display().lower()}",
        body=description,
        data={"received_at": complaint.received_at.isoformat(), "waiting_period_days": complaint.waiting_period_days},
    )
    for uploaded in attachments:
        _save_attachment(complaint=complaint, event=event, uploaded=uploaded, actor=actor)
    if customer.email and customer.preferred_contact == PreferredContact.EMAIL:
        outbox.queue_email(
            kind=EmailKind.ACKNOWLEDGEMENT, to=customer.email, complaint=complaint,
            template="complaints/email/acknowledgement", context=_complaint_email_context(complaint),
        )
    return complaint


def _save_attachment(*, complaint, event, uploaded, actor):
    return Attachment.objects.create(
        complaint=complaint, event=event, file=uploaded, original_name=uploaded.name[:255],
        content_type=uploaded.content_type, size=uploaded.size,
        sha256=Attachment.hash_of(uploaded), uploaded_by=actor,
    )


@transaction.atomic
def change_status(*, complaint, to, actor=None, reason="", visible_to_customer=True):
    """Move a complaint to another status if the rules allow it, and record the move."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not complaint.can_move_to(to):
        raise TransitionNotAllowed(
            f"A complaint that is {complaint.get_status_display().lower()} cannot become "
            f"{Status(to).label.lower()}."
        )
    previous = complaint.status
    now = timezone.now()
    complaint.status = to
    if to in CLOSED_STATUSES:
        complaint.closed_at = now
    elif previous in CLOSED_STATUSES:
        complaint.closed_at = None
    if to == Status.ACKNOWLEDGED and not complaint.acknowledged_at:
        complaint.acknowledged_at = now
    if to == Status.DEADLOCK and not complaint.deadlock_at:
        complaint.deadlock_at = now
    complaint.save(update_fields=["status", "closed_at", "acknowledged_at", "deadlock_at", "updated_at"])
    if previous in CLOSED_STATUSES:
        kind, summary = EventKind.REOPENED, "Complaint reopened"
    elif to == Status.WITHDRAWN:
        kind, summary = EventKind.WITHDRAWN, "Complaint withdrawn"
    elif to == Status.ACKNOWLEDGED:
        kind, summary = EventKind.ACKNOWLEDGED, "Complaint acknowledged"
    else:
        kind, summary = EventKind.STATUS_CHANGED, f"Status changed to {Status(to).label.lower()}"
    Event.objects.create(
        complaint=complaint, kind=kind, actor=actor, summary=summary, body=reason,
        visible_to_customer=visible_to_customer, data={"from": previous, "to": to},
    )
    return complaint


@transaction.atomic
def add_customer_message(*, complaint, customer, body, attachments=()):
    """Record a customer's reply; a complaint waiting on them goes back to investigating."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.is_closed:
        raise TransitionNotAllowed("This complaint is closed; file a new complaint or contact us.")
    event = Event.objects.create(
        complaint=complaint, kind=EventKind.MESSAGE, actor=customer,
        summary="Message from the customer", body=body,
    )
    for uploaded in attachments:
        _save_attachment(complaint=complaint, event=event, uploaded=uploaded, actor=customer)
    if complaint.status == Status.AWAITING_CUSTOMER:
        change_status(complaint=complaint, to=Status.INVESTIGATING, actor=customer,
                      reason="The customer replied.")
    return event


@transaction.atomic
def add_staff_message(*, complaint, agent, body):
    """Send the customer a message from an agent, shown on their page and emailed to them."""
    event = Event.objects.create(
        complaint=complaint, kind=EventKind.MESSAGE, actor=agent,
        summary="Message from our complaints team", body=body,
    )
    customer = complaint.customer
    if customer.email and customer.preferred_contact == PreferredContact.EMAIL:
        outbox.queue_email(
            kind=EmailKind.REPLY, to=customer.email, complaint=complaint,
            template="complaints/email/reply",
            context={**_complaint_email_context(complaint), "message": event},
        )
    return event


@transaction.atomic
def add_internal_note(*, complaint, agent, body):
    """Record an agents' note, never shown to the customer."""
    return Event.objects.create(
        complaint=complaint, kind=EventKind.NOTE, actor=agent,
        summary="Internal note", body=body, visible_to_customer=False,
    )


def withdraw_complaint(*, complaint, customer, reason=""):
    """Withdraw a complaint at the customer's request."""
    return change_status(complaint=complaint, to=Status.WITHDRAWN, actor=customer, reason=reason)
