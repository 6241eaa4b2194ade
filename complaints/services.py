"""Complaint workflows. Each writes its timeline event in the same transaction as its change."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

import clock
from accounts.models import PreferredContact
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
    RootCause,
    Status,
    Upheld,
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
    if customer.email and customer.preferred_contact == PreferredContact.EMAIL:
        outbox.queue_email(kind=email_kind, to=customer.email, complaint=complaint, template=template,
                           context=context)
    elif customer.address:
        letter = printing.write_letter(complaint=complaint, kind=postal_kind, context=context, event=event,
                                       template=letter_template)
        Event.objects.create(
            complaint=complaint, kind=EventKind.LETTER, visible_to_customer=False,
            summary=f"{letter.get_kind_display()} letter queued for printing and posting",
            data={"postal_letter_id": letter.pk},
        )


def acknowledgement(complaint):
    """Say how the complaint's acknowledgement reaches the customer, as pages tell them.

    Return a dict: ``by`` ("email" or "post"), ``to`` (the email address), ``sent_at`` (when it
    was emailed or posted; None while on its way) and ``failed`` (an email given up on); or None
    when none was owed (no email address and no postal address: the page was the acknowledgement).
    """
    email = complaint.emails.filter(kind=EmailKind.ACKNOWLEDGEMENT).order_by("created_at", "pk").first()
    if email is not None:
        return {"by": "email", "to": email.to, "sent_at": email.sent_at, "failed": email.status == EmailStatus.FAILED}
    letter = complaint.postal_letters.filter(kind=PostalKind.ACKNOWLEDGEMENT).order_by("created_at", "pk").first()
    if letter is not None:
        return {"by": "post", "to": "", "sent_at": letter.posted_at, "failed": False}
    return None


def last_update(complaint):
    """Return when the customer's timeline last changed (the latest event they can see)."""
    event = complaint.events.for_customer().order_by("-created_at", "-id").first()
    return event.created_at if event else complaint.received_at


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
    complaint.save(update_fields=["status", "closed_at", "acknowledged_at", "deadlock_at", "updated_at"])
    kind, summary = describe_move(previous, to)
    Event.objects.create(
        complaint=complaint, kind=kind, actor=actor, summary=summary, body=reason,
        visible_to_customer=visible_to_customer, data={**(data or {}), "from": previous, "to": to},
    )
    return complaint


@transaction.atomic
def add_customer_message(*, complaint, customer, body, attachments=()):
    """Record a customer's reply; a complaint waiting on them goes back to investigating."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.is_closed:
        raise TransitionNotAllowed("This complaint is closed: make a new complaint or contact us.")
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
def add_staff_message(*, complaint, agent, body, summary="Message from our complaints team", data=None):
    """Send the customer a message from an agent, shown on their page and emailed to them."""
    event = Event.objects.create(
        complaint=complaint, kind=EventKind.MESSAGE, actor=agent, summary=summary, body=body, data=data or {},
    )
    _send_to_customer(complaint, email_kind=EmailKind.REPLY, template="complaints/email/reply",
                      context={**_complaint_email_context(complaint), "message": event},
                      postal_kind=PostalKind.MESSAGE, event=event)
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


def check_outcome(*, upheld, root_cause=None, apology=False, explanation=False, credit_amount=0,
                  refund_amount=0):
    """Refuse an outcome that contradicts itself: raise ValidationError, keyed on the field at fault.

    A root cause that says we found no fault (RootCause.no_fault) cannot go with a complaint
    upheld, fully or partly. Money (a credit or a refund) on a complaint not upheld is allowed:
    it is goodwill, which the final answer says and the reports count apart from redress.
    """
    errors = {}
    if upheld not in Upheld.values:
        errors["upheld"] = "Say whether the complaint is upheld, partly upheld or not upheld."
    elif root_cause is not None and root_cause.no_fault and upheld != Upheld.NOT_UPHELD:
        errors["root_cause"] = (
            f"“{root_cause.name}” says we found no fault, so the complaint cannot be "
            f"{Upheld(upheld).label.lower()}. Choose the root cause we found, or “{Upheld.NOT_UPHELD.label}”."
        )
    for field, amount in (("credit_amount", credit_amount), ("refund_amount", refund_amount)):
        if Decimal(str(amount or 0)) < 0:
            errors[field] = "An amount of money cannot be less than £0."
    if errors:
        raise ValidationError(errors)


def _outcome(*, upheld, root_cause=None, apology=False, explanation=False, credit_amount=0, refund_amount=0):
    check_outcome(upheld=upheld, root_cause=root_cause, credit_amount=credit_amount, refund_amount=refund_amount)
    return {"upheld": upheld, "root_cause_id": root_cause.pk if root_cause else None, "apology": apology,
            "explanation": explanation, "credit_amount": str(credit_amount), "refund_amount": str(refund_amount)}


def _record_outcome(complaint, *, summary, outcome):
    """Store how a complaint was resolved, for the customer's record and the reports."""
    complaint.resolution_summary = summary
    complaint.upheld = outcome["upheld"]
    complaint.root_cause = RootCause.objects.filter(pk=outcome["root_cause_id"]).first()
    complaint.remedy_apology = outcome["apology"]
    complaint.remedy_explanation = outcome["explanation"]
    complaint.credit_amount = Decimal(outcome["credit_amount"])
    complaint.refund_amount = Decimal(outcome["refund_amount"])
    complaint.save(update_fields=[
        "resolution_summary", "upheld", "root_cause", "remedy_apology", "remedy_explanation",
        "credit_amount", "refund_amount", "updated_at",
    ])


def _tell_agent(complaint, *, what, event):
    """Email the assigned agent what the customer did, for them to act on."""
    agent = complaint.assigned_to
    if agent is None or not agent.is_active or not agent.email:
        return
    outbox.queue_email(
        kind=EmailKind.OTHER, to=agent.email, complaint=complaint, template="complaints/email/customer_action",
        context={"complaint": complaint, "what": what, "event": event, "agent": agent,
                 "admin_url": outbox.absolute_url(reverse("admin:complaints_complaint_change", args=[complaint.pk]))},
    )


def _latest_event(complaint):
    return complaint.events.order_by("-created_at", "-id").first()


@transaction.atomic
def propose_resolution(*, complaint, agent, proposal, **outcome):
    """Put a resolution to the customer, who may accept or reject it on their page.

    ``outcome`` (upheld, root_cause, apology, explanation, credit_amount, refund_amount) is
    what the complaint records as its resolution if the customer accepts; one that contradicts
    itself is refused (``check_outcome``) before anything changes.
    """
    outcome = _outcome(**outcome)
    change_status(complaint=complaint, to=Status.RESOLUTION_PROPOSED, actor=agent)
    return add_staff_message(complaint=complaint, agent=agent, body=proposal, summary="Proposed resolution",
                             data={"proposal": True, "outcome": outcome})


def current_proposal(complaint):
    """Return the message that proposed the resolution now on the table, or None."""
    if complaint.status != Status.RESOLUTION_PROPOSED:
        return None
    return complaint.events.filter(kind=EventKind.MESSAGE, data__proposal=True).order_by("-created_at", "-id").first()


@transaction.atomic
def accept_resolution(*, complaint, customer):
    """Record that the customer accepted the proposed resolution; the complaint is resolved."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    proposal = current_proposal(complaint)
    if proposal is None:
        raise TransitionNotAllowed("There is no proposed resolution to accept.")
    complaint = change_status(complaint=complaint, to=Status.RESOLVED, actor=customer,
                              reason="The customer accepted the proposed resolution.")
    _record_outcome(complaint, summary=proposal.body, outcome=proposal.data["outcome"])
    _tell_agent(complaint, what="The customer accepted the proposed resolution", event=_latest_event(complaint))
    return complaint


@transaction.atomic
def reject_resolution(*, complaint, customer, reason):
    """Record the customer's rejection: the complaint stays open and goes back to the agent."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status != Status.RESOLUTION_PROPOSED:
        raise TransitionNotAllowed("There is no proposed resolution to reject.")
    complaint = change_status(complaint=complaint, to=Status.INVESTIGATING, actor=customer,
                              reason=f"The customer rejected the proposed resolution: {reason}".strip(),
                              data={"customer_reason": reason.strip()})
    _tell_agent(complaint, what="The customer rejected the proposed resolution", event=_latest_event(complaint))
    return complaint


def may_request_deadlock_letter(complaint):
    """Say whether the customer may ask for a deadlock letter on this complaint now."""
    return (complaint.adr_rights and not complaint.is_closed and complaint.status != Status.DEADLOCK
            and not complaint.deadlock_requested_at)


@transaction.atomic
def request_deadlock_letter(*, complaint, customer, reason):
    """Record the customer's request for a deadlock letter, for an agent to decide on."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.is_closed or complaint.status == Status.DEADLOCK:
        raise TransitionNotAllowed("A deadlock letter can only be asked for on an open complaint.")
    if not complaint.adr_rights:
        raise TransitionNotAllowed("A deadlock letter is for customers who may take a complaint to the ombudsman.")
    if complaint.deadlock_requested_at:
        raise TransitionNotAllowed("You have already asked for a deadlock letter; we will reply soon.")
    complaint.deadlock_requested_at = timezone.now()
    complaint.save(update_fields=["deadlock_requested_at", "updated_at"])
    event = Event.objects.create(
        complaint=complaint, kind=EventKind.MESSAGE, actor=customer,
        summary="The customer asked for a deadlock letter", body=reason,
        data={"deadlock_requested": True},
    )
    _tell_agent(complaint, what="The customer asked for a deadlock letter", event=event)
    return event


@transaction.atomic
def resolve_complaint(*, complaint, agent, summary, **outcome):
    """Give the provider's final answer and close the complaint.

    ``outcome`` is upheld, root_cause, apology, explanation, credit_amount and
    refund_amount; one that contradicts itself is refused (``check_outcome``) before anything
    changes, and money on a complaint not upheld is recorded as goodwill. The message to the
    customer names the ADR scheme and how to use it, as consumer disputes require since April 2026.
    """
    outcome = _outcome(**outcome)
    complaint = change_status(complaint=complaint, to=Status.RESOLVED, actor=agent, reason=summary)
    _record_outcome(complaint, summary=summary, outcome=outcome)
    context = _complaint_email_context(complaint)
    body = render_to_string("complaints/final_answer.txt", context)
    event = Event.objects.create(
        complaint=complaint, kind=EventKind.MESSAGE, actor=agent, summary="Our final answer", body=body,
        data={"final_answer": True, "upheld": complaint.upheld, "goodwill": complaint.is_goodwill},
    )
    _send_to_customer(complaint, email_kind=EmailKind.STATUS, template="complaints/email/final_answer",
                      context={**context, "final_answer": body}, postal_kind=PostalKind.FINAL_ANSWER, event=event)
    return complaint


def reopen_complaint(*, complaint, actor, reason):
    """Reopen a resolved or withdrawn complaint; its clock carries on from receipt."""
    if not reason.strip():
        raise ValueError("Say why the complaint is being reopened.")
    return change_status(complaint=complaint, to=Status.INVESTIGATING, actor=actor, reason=reason)


@transaction.atomic
def change_received_date(*, complaint, received_at, reason, actor):
    """Correct when the customer first complained, guarding the moment ADR opens.

    The rules ("The clock is guarded"): the moment ADR opens never moves later once set, as
    that would take the customer's rights away. So the date may not be in the future, the
    waiting period becomes the shorter of the complaint's own and the policy in force on the
    new date (an earlier date that crosses a policy change keeps the shorter one), and a
    correction that would still move ADR later is refused. Raises ValidationError, keyed on
    ``received_at`` or ``reason``, and changes nothing when refused. The change is audited;
    a customer with ADR rights whose ADR now opens earlier is told the new date. An ADR letter
    that becomes due by it is the sweep's to write.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why the date the complaint was received is changing."})
    now = timezone.now()
    if received_at > now:
        raise ValidationError({"received_at": "The date the customer first complained cannot be in the future."})
    complaint = Complaint.objects.select_for_update().select_related("customer").get(pk=complaint.pk)
    previous = {"received_at": complaint.received_at, "adr_opens_at": complaint.adr_opens_at,
                "waiting_period_days": complaint.waiting_period_days}
    waiting_period_days = min(complaint.waiting_period_days, WaitingPeriodPolicy.days_for(clock.uk_date(received_at)))
    adr_opens_at = clock.adr_opens_at(received_at, waiting_period_days)
    if adr_opens_at > previous["adr_opens_at"]:
        raise ValidationError({"received_at": (
            f"ADR opens on {_day(clock.uk_date(previous['adr_opens_at']))} for this complaint, and this date would "
            f"move it to {_day(clock.uk_date(adr_opens_at))}. The day ADR opens never moves later (that would take "
            "the customer's rights away): only an earlier date can be recorded."
        )})
    complaint.received_at = received_at
    complaint.fix_clock(waiting_period_days=waiting_period_days, adr_rights=complaint.adr_rights)
    complaint.save(update_fields=["received_at", "waiting_period_days", "adr_opens_at", "updated_at"])
    event = Event.objects.create(
        complaint=complaint, kind=EventKind.RECEIVED_DATE_CHANGED, actor=actor, body=reason,
        summary="Date received corrected",
        data={"from": previous["received_at"].isoformat(), "to": received_at.isoformat(),
              "adr_opens_at_from": previous["adr_opens_at"].isoformat(),
              "adr_opens_at_to": adr_opens_at.isoformat(),
              "waiting_period_days_from": previous["waiting_period_days"],
              "waiting_period_days_to": waiting_period_days},
    )
    # Told only if they may go to the ombudsman on the new day (not after withdrawing, say).
    if adr_opens_at < previous["adr_opens_at"] and clock.may_refer(complaint, max(now, adr_opens_at)):
        _tell_new_adr_date(complaint, previous=previous, event=event, now=now)
    return complaint


def _day(day):
    return dateformat.format(day, "j F Y")


def _tell_new_adr_date(complaint, *, previous, event, now):
    """Tell the customer that, with the corrected date, they may go to the ombudsman sooner."""
    context = {
        **_complaint_email_context(complaint),
        "received_on": complaint.received_on,
        "previous_received_on": clock.uk_date(previous["received_at"]),
        "adr_opens_on": complaint.adr_deadline_date,
        "previous_adr_opens_on": clock.uk_date(previous["adr_opens_at"]),
        "period_over": now >= complaint.adr_opens_at,
        "may_refer_now": clock.may_refer(complaint, now),
    }
    _send_to_customer(complaint, email_kind=EmailKind.STATUS, template="complaints/email/adr_date_earlier",
                      context=context, postal_kind=PostalKind.MESSAGE, event=event,
                      letter_template="complaints/letters/adr_date_earlier.html")
