"""Resolutions: the outcome's rules, proposals and the customer's answer, the final answer,
reopening, and the customer's request for a deadlock letter.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from complaints import outbox
from complaints.models import (
    Complaint,
    EmailKind,
    Event,
    EventKind,
    PostalKind,
    RootCause,
    Status,
    Upheld,
)
from complaints.services.filing import (
    TransitionNotAllowed,
    _complaint_email_context,
    _send_to_customer,
    add_staff_message,
    change_status,
    preview_to_customer,
    record_customer_action,
)


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
    _apply_outcome(complaint, summary=summary, outcome=outcome)
    complaint.save(update_fields=[
        "resolution_summary", "upheld", "root_cause", "remedy_apology", "remedy_explanation",
        "credit_amount", "refund_amount", "updated_at",
    ])


def _apply_outcome(complaint, *, summary, outcome):
    complaint.resolution_summary = summary
    complaint.upheld = outcome["upheld"]
    complaint.root_cause = RootCause.objects.filter(pk=outcome["root_cause_id"]).first()
    complaint.remedy_apology = outcome["apology"]
    complaint.remedy_explanation = outcome["explanation"]
    complaint.credit_amount = Decimal(outcome["credit_amount"])
    complaint.refund_amount = Decimal(outcome["refund_amount"])


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
    event = _latest_event(complaint)
    record_customer_action(complaint=complaint, at=event.created_at)
    _tell_agent(complaint, what="The customer accepted the proposed resolution", event=event)
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
    event = _latest_event(complaint)
    record_customer_action(complaint=complaint, at=event.created_at)
    _tell_agent(complaint, what="The customer rejected the proposed resolution", event=event)
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
    record_customer_action(complaint=complaint, at=event.created_at)
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
    context, body = _final_answer(complaint)
    event = Event.objects.create(
        complaint=complaint, kind=EventKind.MESSAGE, actor=agent, summary="Our final answer", body=body,
        data={"final_answer": True, "upheld": complaint.upheld, "goodwill": complaint.is_goodwill},
    )
    _send_to_customer(complaint, email_kind=EmailKind.STATUS, template="complaints/email/final_answer",
                      context={**context, "final_answer": body}, postal_kind=PostalKind.FINAL_ANSWER, event=event)
    return complaint


def _final_answer(complaint):
    """Return the email context and the text of the final answer on a complaint with its outcome."""
    context = _complaint_email_context(complaint)
    return context, render_to_string("complaints/final_answer.txt", context)


def preview_final_answer(*, complaint, summary, **outcome):
    """Return what resolving the complaint now would send the customer, changing nothing.

    ``outcome`` is ``resolve_complaint``'s (refused the same way); the answer is a dict as
    ``preview_to_customer`` returns it.
    """
    outcome = _outcome(**outcome)
    draft = Complaint.objects.select_related("customer").get(pk=complaint.pk)
    draft.status, draft.closed_at = Status.RESOLVED, timezone.now()
    _apply_outcome(draft, summary=summary, outcome=outcome)
    context, body = _final_answer(draft)
    return preview_to_customer(draft, template="complaints/email/final_answer",
                               context={**context, "final_answer": body}, text=body)


def reopen_complaint(*, complaint, actor, reason):
    """Reopen a resolved or withdrawn complaint; its clock carries on from receipt."""
    if not reason.strip():
        raise ValueError("Say why the complaint is being reopened.")
    return change_status(complaint=complaint, to=Status.INVESTIGATING, actor=actor, reason=reason)
