"""Filing a complaint, its status, messages and assignment, and what reaches the customer.

Each writes its timeline event in the same transaction as its change.
"""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

import clock
from complaints import outbox, printing
from complaints.models import (
    CLOSED_STATUSES,
    Attachment,
    Channel,
    Complaint,
    EmailKind,
    EmailStatus,
    Event,
    EventKind,
    PostalKind,
    PostalLetter,
    PostStatus,
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
                   attachments=(), logged_by=None, backdate_reason=""):
    """Record a complaint, fix its clock, and acknowledge it the way the customer prefers.

    ``received_at`` is the customer's first expression of dissatisfaction (now, for the
    web form). ``logged_by`` is the agent who logged a phone, email or letter complaint; a
    date before today needs ``backdate_reason``, kept in the timeline for audit.
    """
    now = timezone.now()
    received_at = received_at or now
    backdated = bool(logged_by) and clock.uk_date(received_at) < clock.uk_today(now)
    if logged_by and received_at > now:
        raise ValueError("A complaint cannot be received in the future.")
    if backdated and not backdate_reason.strip():
        raise ValueError("Say why the complaint is logged with an earlier date than today.")
    complaint = Complaint(
        customer=customer, product=product, category=category, channel=channel,
        description=description, desired_outcome=desired_outcome,
        statement_date=statement_date, received_at=received_at,
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
    if backdated:
        Event.objects.create(
            complaint=complaint, kind=EventKind.RECEIVED_DATE_CHANGED, actor=actor, visible_to_customer=False,
            summary=f"Logged with the date first complained: {complaint.received_on:%d %B %Y}",
            body=backdate_reason, data={"received_at": received_at.isoformat(), "logged_at": now.isoformat()},
        )
    for uploaded in attachments:
        _save_attachment(complaint=complaint, event=event, uploaded=uploaded, actor=actor)
    _acknowledge(complaint)
    return complaint


def _send_to_customer(complaint, *, email_kind, template, context, postal_kind, event=None, letter_template=None):
    """Email the customer, or put a letter in the print queue for a customer who gets post.

    The letter is written from its kind's template, or from ``letter_template`` if given.
    """
    customer = complaint.customer
    if customer.gets_email:
        outbox.queue_email(kind=email_kind, to=customer.email, complaint=complaint, template=template,
                           context=context, to_customer=True)
    elif customer.address:
        letter = printing.write_letter(complaint=complaint, kind=postal_kind, context=context, event=event,
                                       template=letter_template)
        Event.objects.create(
            complaint=complaint, kind=EventKind.LETTER, visible_to_customer=False,
            summary=f"{letter.get_kind_display()} letter queued for printing and posting",
            data={"postal_letter_id": letter.pk},
        )


def preview_to_customer(complaint, *, template, context, text):
    """Return what ``_send_to_customer`` would send, unsaved, for staff to check first.

    A dict: ``by`` ("email", "post", or "" when only their page shows it), ``to`` (the
    address), ``subject`` (emails only) and ``text`` (what they will read).
    """
    customer = complaint.customer
    if customer.gets_email:
        subject, body, _ = outbox.render_email(template, context)
        return {"by": "email", "to": customer.email, "subject": subject, "text": body}
    if customer.address:
        return {"by": "post", "to": customer.postal_address, "subject": "", "text": text}
    return {"by": "", "to": "", "subject": "", "text": text}


def acknowledgement(complaint):
    """Say how the complaint's acknowledgement reaches the customer, as pages tell them.

    Return a dict: ``by`` ("email" or "post"), ``to`` (the email address), ``sent_at`` (when it
    was emailed or posted; None while on its way) and ``failed`` (an email given up on); or None
    when none was owed (no email address and no postal address: the page was the acknowledgement).
    """
    # Only what the answer says: an email's bodies are long.
    email = (complaint.emails.filter(kind=EmailKind.ACKNOWLEDGEMENT).order_by("created_at", "pk")
             .only("to", "sent_at", "status").first())
    if email is not None:
        return {"by": "email", "to": email.to, "sent_at": email.sent_at, "failed": email.status == EmailStatus.FAILED}
    letter = (complaint.postal_letters.filter(kind=PostalKind.ACKNOWLEDGEMENT).order_by("created_at", "pk")
              .only("posted_at").first())
    if letter is not None:
        return {"by": "post", "to": "", "sent_at": letter.posted_at, "failed": False}
    return None


def last_update(complaint):
    """Return when the customer's timeline last changed (the latest event they can see)."""
    latest = complaint.events.for_customer().order_by("-created_at", "-id").values_list("created_at", flat=True)
    return latest.first() or complaint.received_at


def _acknowledge(complaint):
    _send_to_customer(complaint, email_kind=EmailKind.ACKNOWLEDGEMENT, template="complaints/email/acknowledgement",
                      context=_complaint_email_context(complaint), postal_kind=PostalKind.ACKNOWLEDGEMENT)


@transaction.atomic
def mark_letter_posted(*, letter, actor):
    """Record that a letter in the print queue was printed and posted."""
    posted = PostalLetter.objects.filter(pk=letter.pk, status=PostStatus.PRINT_QUEUED).update(
        status=PostStatus.POSTED, posted_at=timezone.now(), posted_by=actor,
    )
    if posted:
        Event.objects.create(
            complaint=letter.complaint, kind=EventKind.LETTER, actor=actor,
            summary=f"{letter.get_kind_display()} letter posted",
            data={"postal_letter_id": letter.pk, "step": "posted"},
        )
    return bool(posted)


def _save_attachment(*, complaint, event, uploaded, actor):
    return Attachment.objects.create(
        complaint=complaint, event=event, file=uploaded, original_name=uploaded.name[:255],
        content_type=uploaded.content_type, size=uploaded.size,
        sha256=Attachment.hash_of(uploaded), uploaded_by=actor,
    )


def describe_move(previous, to):
    """Return the timeline event's kind and summary for a move between two statuses."""
    if previous in CLOSED_STATUSES:
        return EventKind.REOPENED, "Complaint reopened"
    if to == Status.WITHDRAWN:
        return EventKind.WITHDRAWN, "Complaint withdrawn"
    if to == Status.ACKNOWLEDGED:
        return EventKind.ACKNOWLEDGED, "Complaint acknowledged"
    if to == Status.DEADLOCK:
        # One event says it all: the move (from, to) and, from declare_deadlock, its letter.
        return EventKind.DEADLOCK, "Complaint in deadlock"
    return EventKind.STATUS_CHANGED, f"Status changed to {Status(to).label.lower()}"


@transaction.atomic
def change_status(*, complaint, to, actor=None, reason="", visible_to_customer=True, data=None):
    """Move a complaint to another status if the rules allow it, and record the move.

    ``data`` adds to what the event records (the move's from and to).
    """
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
    if to in CLOSED_STATUSES:
        complaint.awaiting_reply_since = None  # nobody answers a closed complaint on the desk
    complaint.save(update_fields=["status", "closed_at", "acknowledged_at", "deadlock_at", "awaiting_reply_since",
                                  "updated_at"])
    kind, summary = describe_move(previous, to)
    Event.objects.create(
        complaint=complaint, kind=kind, actor=actor, summary=summary, body=reason,
        visible_to_customer=visible_to_customer, data={**(data or {}), "from": previous, "to": to},
    )
    return complaint


@transaction.atomic
def add_customer_message(*, complaint, customer, body, attachments=(), data=None):
    """Record a customer's reply; a complaint waiting on them goes back to investigating.

    ``data`` says more about it for the record (an emailed reply names the message it came in).
    """
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.is_closed:
        raise TransitionNotAllowed("This complaint is closed: make a new complaint or contact us.")
    event = Event.objects.create(
        complaint=complaint, kind=EventKind.MESSAGE, actor=customer,
        summary="Message from the customer", body=body, data=data or {},
    )
    for uploaded in attachments:
        _save_attachment(complaint=complaint, event=event, uploaded=uploaded, actor=customer)
    if complaint.status == Status.AWAITING_CUSTOMER:
        change_status(complaint=complaint, to=Status.INVESTIGATING, actor=customer,
                      reason="The customer replied.")
    record_customer_action(complaint=complaint, at=event.created_at)
    return event


def record_customer_action(*, complaint, at):
    """Record that the customer acted at ``at``: on an open complaint they now wait for our answer.

    The desk's queue reads both moments (its "customer replied" view and unread marks).
    """
    waits = Complaint.objects.filter(pk=complaint.pk).exclude(status__in=CLOSED_STATUSES)
    waits.update(awaiting_reply_since=Coalesce("awaiting_reply_since", Value(at)))
    Complaint.objects.filter(pk=complaint.pk).update(customer_acted_at=at)


def mark_customer_answered(*, complaint, at):
    """Record that an agent answered the customer at ``at`` (a message, a proposal, a final position).

    A customer's action after ``at`` still waits for its own answer.
    """
    Complaint.objects.filter(pk=complaint.pk, awaiting_reply_since__isnull=False, customer_acted_at__lte=at).update(
        awaiting_reply_since=None)


def refuse_if_merged(complaint):
    """Refuse to work on a merged duplicate: it is only a pointer to the complaint that carries on."""
    merged = Complaint.objects.filter(pk=complaint.pk, status=Status.MERGED).select_related("merged_into").first()
    if merged is not None:
        raise TransitionNotAllowed(f"This complaint was merged into {merged.merged_into.tracking_number}: "
                                   "work on that complaint.")


@transaction.atomic
def add_staff_message(*, complaint, agent, body, summary="Message from our complaints team", data=None):
    """Send the customer a message from an agent, shown on their page and emailed to them."""
    refuse_if_merged(complaint)
    event = Event.objects.create(
        complaint=complaint, kind=EventKind.MESSAGE, actor=agent, summary=summary, body=body, data=data or {},
    )
    mark_customer_answered(complaint=complaint, at=event.created_at)
    _send_to_customer(complaint, email_kind=EmailKind.REPLY, template="complaints/email/reply",
                      context={**_complaint_email_context(complaint), "message": event},
                      postal_kind=PostalKind.MESSAGE, event=event)
    return event


@transaction.atomic
def record_answer_elsewhere(*, complaint, agent, note):
    """Record that an agent answered the customer outside the portal (by phone, say).

    A note only staff see says how; the customer no longer waits for an answer on the desk.
    """
    if not note.strip():
        raise ValidationError("Say how you answered the customer.")
    event = Event.objects.create(
        complaint=complaint, kind=EventKind.NOTE, actor=agent, visible_to_customer=False,
        summary="Answered the customer outside the portal", body=note,
    )
    mark_customer_answered(complaint=complaint, at=event.created_at)
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


@transaction.atomic
def assign_complaint(*, complaint, agent, actor):
    """Give a complaint to an agent (or to nobody, with ``agent=None``)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    previous = complaint.assigned_to
    complaint.assigned_to = agent
    complaint.save(update_fields=["assigned_to", "updated_at"])
    Event.objects.create(
        complaint=complaint, kind=EventKind.ASSIGNED, actor=actor, visible_to_customer=False,
        summary=f"Assigned to {agent.full_name}" if agent else "Unassigned",
        data={"from": previous.pk if previous else None, "to": agent.pk if agent else None},
    )
    return complaint


@transaction.atomic
def request_information(*, complaint, agent, body):
    """Ask the customer for information: a message, and the complaint waits on them."""
    event = add_staff_message(complaint=complaint, agent=agent, body=body)
    change_status(complaint=complaint, to=Status.AWAITING_CUSTOMER, actor=agent)
    return event
