"""Merging duplicate complaints: one customer, one matter, told us twice (issue 15).

A customer who complained on the web and then by phone about one matter has two complaints;
an agent merges the later-found one (the duplicate) into the one that carries on (the
survivor). The rules ("When a complaint starts", "The clock", "The letters"):

- The clock runs from the first expression of dissatisfaction: the survivor takes the
  earlier of the two dates received. Its waiting period is the shortest of the two
  complaints' own and the policy in force on that date (the rule ``change_received_date``
  applies to a correction), so ADR opens no later than it did on either complaint: merging
  never takes a right away.
- No letter already owed is lost and none is sent twice. Letters stay rows of the complaint
  they were written for (one of each kind per complaint); the survivor's pages show all. The
  survivor counts as told from the first ADR or deadlock letter on either (``customer_told_at``
  the earlier), may be referred until the later ``refer_by``, and owes the end-of-waiting-
  period letter only if neither complaint has dealt with it (``adr_letter_pending``): the
  sweep then writes it for the survivor when the survivor's period ends. A duplicate that
  reached deadlock merges only into a complaint in deadlock too, so the survivor can never
  be sent a second deadlock letter.
- The customer's latest action and their wait for our answer carry over (the desk's queue
  reads them), as does a request for a deadlock letter. The survivor keeps its own status,
  agent, acknowledgement and deadline warning (if its staff were not warned yet, the sweep
  warns them as its new ADR date nears).
- The duplicate becomes merged (a closed status of its own, so the sweep, the queue and the
  reports leave it alone; the reports never count it) and points to its survivor: its
  tracking number leads its customer there. It owes no letter any more. Nothing moves it
  on: reopening is refused.
- Both timelines get a MERGED event (the customer sees them), and the customer is told what
  happened and which tracking number to use, by email or post as they prefer.

Refused (ValidationError, nothing changed): a complaint merged into itself; two customers'
complaints; a complaint merged already, or one that others were merged into (so a survivor
is never itself merged: pointers never chain); a closed complaint (reopen it first); two
complaints received with different ADR rights (one clock cannot serve both); a duplicate
taken to the ombudsman scheme (the scheme's case is on its number) or in deadlock while the
survivor is not (merge the other way).
"""

import copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import clock
from complaints import outbox
from complaints.models import Complaint, EmailKind, Event, EventKind, PostalKind, Status
from complaints.services.filing import _complaint_email_context, _send_to_customer
from ombudsman.models import Referral, WaitingPeriodPolicy

MESSAGE_TEMPLATE = "complaints/email/merged"
LETTER_TEMPLATE = "complaints/letters/merged.html"
# What merging changes on the survivor (``merged``), saved in one UPDATE.
SURVIVOR_FIELDS = ["received_at", "waiting_period_days", "adr_opens_at", "adr_letter_pending", "customer_told_at",
                   "refer_by", "deadlock_requested_at", "customer_acted_at", "awaiting_reply_since"]


@transaction.atomic
def merge_complaints(*, survivor, duplicate, actor):
    """Merge ``duplicate`` into ``survivor`` under the rules above; return the survivor, saved.

    Locks both complaints (in id order, so two merges of one pair cannot deadlock) and
    checks them as they are now: of two identical requests, the second is refused with
    code ``already_merged``.
    """
    locked = {c.pk: c for c in Complaint.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])
              .select_related("customer").order_by("pk")}
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    check_merge(survivor=survivor, duplicate=duplicate)
    now = timezone.now()
    result = merged(survivor, duplicate)
    result.save(update_fields=[*SURVIVOR_FIELDS, "updated_at"])
    previous_status = duplicate.status
    duplicate.status, duplicate.closed_at, duplicate.merged_into = Status.MERGED, now, result
    duplicate.adr_letter_pending, duplicate.awaiting_reply_since = False, None
    duplicate.save(update_fields=["status", "closed_at", "merged_into", "adr_letter_pending", "awaiting_reply_since",
                                  "updated_at"])
    event = Event.objects.create(
        complaint=result, kind=EventKind.MERGED, actor=actor,
        summary=f"Complaint {duplicate.tracking_number} merged into this one",
        data={"duplicate_id": duplicate.pk, "duplicate": duplicate.tracking_number,
              "received_at_from": survivor.received_at.isoformat(),
              "received_at_to": result.received_at.isoformat(),
              "adr_opens_at_from": survivor.adr_opens_at.isoformat(),
              "adr_opens_at_to": result.adr_opens_at.isoformat(),
              "waiting_period_days_from": survivor.waiting_period_days,
              "waiting_period_days_to": result.waiting_period_days},
    )
    Event.objects.create(
        complaint=duplicate, kind=EventKind.MERGED, actor=actor,
        summary=f"Merged into complaint {result.tracking_number}",
        data={"survivor_id": result.pk, "survivor": result.tracking_number, "from": previous_status,
              "to": Status.MERGED},
    )
    _send_to_customer(result, email_kind=EmailKind.STATUS, template=MESSAGE_TEMPLATE,
                      context=message_context(result, survivor=survivor, duplicate=duplicate, now=now),
                      postal_kind=PostalKind.MESSAGE, event=event, letter_template=LETTER_TEMPLATE)
    return result


def check_merge(*, survivor, duplicate):
    """Refuse, with a ValidationError saying why, a merge the rules do not allow."""
    s, d = survivor.tracking_number, duplicate.tracking_number
    if survivor.pk == duplicate.pk:
        raise ValidationError("A complaint cannot be merged into itself: give the other complaint's tracking number.")
    if survivor.customer_id != duplicate.customer_id:
        raise ValidationError(f"{d} is another customer's complaint: only one customer's complaints can be merged.")
    if duplicate.merged_into_id == survivor.pk:
        raise ValidationError(f"{d} was merged into {s} already.", code="already_merged")
    for complaint in (duplicate, survivor):
        if complaint.status == Status.MERGED:
            raise ValidationError(f"{complaint.tracking_number} was merged into another complaint already: "
                                  "merge into that one instead.")
        if complaint.is_closed:
            raise ValidationError(f"{complaint.tracking_number} is {complaint.get_status_display().lower()}: only "
                                  "open complaints can be merged (reopen it first if the matter is not settled).")
    if duplicate.merged.exists():
        raise ValidationError(f"Other complaints were merged into {d}: merge {s} into {d} instead, so that one "
                              "complaint holds them all.")
    if survivor.adr_rights != duplicate.adr_rights:
        raise ValidationError(f"{s} and {d} were received with different rights to ADR (the customer's "
                              "circumstances changed between them): one clock cannot serve both, so they stay apart.")
    if Referral.objects.filter(complaint=duplicate).exists():
        if Referral.objects.filter(complaint=survivor).exists():
            raise ValidationError(f"{s} and {d} have both been taken to the ombudsman scheme: each case stays with "
                                  "its own complaint.")
        raise ValidationError(f"{d} has been taken to the ombudsman scheme, whose case is on that complaint: "
                              f"merge {s} into {d} instead.")
    if duplicate.deadlock_at and not survivor.deadlock_at:
        raise ValidationError(f"{d} reached deadlock and {s} has not: merge {s} into {d} instead, so that the "
                              "customer is never sent a second deadlock letter.")


def merged(survivor, duplicate):
    """Return the survivor as merging the duplicate into it makes it: a copy, not saved."""
    result = copy.copy(survivor)
    result.received_at = min(survivor.received_at, duplicate.received_at)
    waiting_period_days = min(survivor.waiting_period_days, duplicate.waiting_period_days,
                              WaitingPeriodPolicy.days_for(clock.uk_date(result.received_at)))
    result.fix_clock(waiting_period_days=waiting_period_days, adr_rights=survivor.adr_rights)
    result.adr_letter_pending = survivor.adr_letter_pending and duplicate.adr_letter_pending
    result.customer_told_at = _earliest(survivor.customer_told_at, duplicate.customer_told_at)
    result.refer_by = _latest(survivor.refer_by, duplicate.refer_by)
    result.deadlock_requested_at = _earliest(survivor.deadlock_requested_at, duplicate.deadlock_requested_at)
    result.customer_acted_at = _latest(survivor.customer_acted_at, duplicate.customer_acted_at)
    result.awaiting_reply_since = _earliest(survivor.awaiting_reply_since, duplicate.awaiting_reply_since)
    return result


def _earliest(*moments):
    return min((moment for moment in moments if moment is not None), default=None)


def _latest(*moments):
    return max((moment for moment in moments if moment is not None), default=None)


def message_context(result, *, survivor, duplicate, now):
    """The context of the message telling the customer: ``result`` is the survivor merged."""
    return {
        **_complaint_email_context(result),
        "duplicate": duplicate,
        "survivor_received_on": survivor.received_on,
        "duplicate_received_on": duplicate.received_on,
        "received_on": result.received_on,
        "adr_opens_on": result.adr_deadline_date,
        "may_refer_now": clock.may_refer(result, now),
    }


def preview_merge(*, survivor, duplicate, now=None):
    """Say what merging would do, for the agent to read before confirming (nothing is saved).

    Return a dict: ``result`` (the survivor as it would be), and ``message``: how the
    customer would be told (``by`` "email", "post" or None when we have no way to reach
    them, as ``_send_to_customer`` decides) and the ``subject`` and ``text`` they would read.
    """
    now = now or timezone.now()
    result = merged(survivor, duplicate)
    customer = result.customer
    by = "email" if customer.gets_email else ("post" if customer.address else None)
    subject, text, _html = outbox.render_email(
        MESSAGE_TEMPLATE, message_context(result, survivor=survivor, duplicate=duplicate, now=now))
    return {"result": result, "message": {"by": by, "to": customer.email, "subject": subject, "text": text}}


def survivor_of(complaint):
    """Return the complaint that carries a complaint on: the one it was merged into, or itself."""
    return complaint.merged_into if complaint.merged_into_id else complaint
