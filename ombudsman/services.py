"""ADR workflows: deadlock, the letters, deadline warnings and referrals to the scheme.

Each writes its timeline event in the same transaction as its change; anything that must
reach someone is a row first (a Letter, or an email in the outbox), delivered on commit.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

import clock
from accounts.roles import COMPLAINT_MANAGERS, is_manager
from clock import uk_today
from complaints import outbox
from complaints.models import CLOSED_STATUSES, Complaint, EmailKind, Event, EventKind, Status
from complaints.services import change_status
from ombudsman import letters
from ombudsman.models import Decision, Letter, LetterKind, LetterStatus, Referral, WaitingPeriodPolicy
from ombudsman.models.referrals import STEP_DATES

DELIVER_LETTER_TASK = "ombudsman.tasks.deliver_letter"


def _save_letter(letter):
    letter.save()
    # The customer has been told (the first letter's moment stays), and may refer until
    # 12 months from this, the latest, letter: the clock reads both from the complaint.
    complaint = letter.complaint
    complaint.customer_told_at = complaint.customer_told_at or letter.created_at
    complaint.refer_by = letter.refer_by
    Complaint.objects.filter(pk=complaint.pk).update(
        customer_told_at=Coalesce("customer_told_at", Value(letter.created_at)), refer_by=letter.refer_by
    )
    Event.objects.create(
        complaint=letter.complaint, kind=EventKind.LETTER,
        summary=f"{letter.get_kind_display()} written, to go by {letter.get_delivery_display().lower()}",
        data={"letter_id": letter.pk, "kind": letter.kind, "refer_by": letter.refer_by.isoformat()},
    )
    transaction.on_commit(lambda: outbox.enqueue(DELIVER_LETTER_TASK, letter.pk))
    return letter


@transaction.atomic
def declare_deadlock(*, complaint, actor, reason):
    """Put a complaint into deadlock and write the deadlock letter in the same transaction.

    Raises LetterContentError (and changes nothing) if the letter would lack a required
    element. A customer without ADR rights gets no letter: it would offer a scheme they
    cannot use.
    """
    if not reason.strip():
        raise ValidationError("Give the reason for the deadlock: it goes in the customer's letter.")
    complaint = change_status(complaint=complaint, to=Status.DEADLOCK, actor=actor, reason=reason)
    letter = None
    if complaint.adr_rights:
        letter = _save_letter(letters.write(complaint=complaint, kind=LetterKind.DEADLOCK, reason=reason))
        # The deadlock letter tells the customer everything the waiting-period letter would.
        Complaint.objects.filter(pk=complaint.pk).update(adr_letter_pending=False)
    Event.objects.create(
        complaint=complaint, kind=EventKind.DEADLOCK, actor=actor, summary="Complaint in deadlock",
        body=reason, data={"letter_id": letter.pk if letter else None},
    )
    return letter


def create_adr_letter(*, complaint, now=None, scheme=None):
    """Write the end-of-waiting-period letter if it is owed now; return it, or None.

    Claims the complaint with a compare-and-swap on ``adr_letter_pending``, so of several
    concurrent callers exactly one writes the letter (the unique constraint on complaint and
    kind backs this up). A complaint that is closed or still inside its waiting period stays
    pending; one whose customer already had a deadlock letter, or has no ADR rights, is
    settled without a letter. Raises LetterContentError, leaving it pending, if the letter
    would lack a required element.
    """
    now = now or timezone.now()
    # Render (and check) before writing anything: a refused letter then leaves nothing to
    # undo, and the sweep needs no savepoint per complaint.
    letter = letters.write(complaint=complaint, kind=LetterKind.ADR, now=now, scheme=scheme)
    with transaction.atomic(savepoint=False):
        claimed = Complaint.objects.filter(
            pk=complaint.pk, adr_letter_pending=True, adr_opens_at__lte=now,
        ).exclude(status__in=CLOSED_STATUSES).update(adr_letter_pending=False)
        if not claimed:
            return None
        complaint.adr_letter_pending = False
        if not complaint.adr_rights or (
            complaint.deadlock_at and complaint.letters.filter(kind=LetterKind.DEADLOCK).exists()
        ):
            return None
        return _save_letter(letter)


def staff_to_warn(complaint):
    """Return the assigned agent and the managers who can be emailed, once each."""
    User = get_user_model()
    people = list(User.objects.filter(
        is_active=True, is_staff=True, email__isnull=False, groups__name=COMPLAINT_MANAGERS,
    ).distinct().order_by("pk"))
    agent = complaint.assigned_to
    if agent and agent.is_active and agent.email and agent not in people:
        people.insert(0, agent)
    return people


def _email_staff(*, complaint, kind, template, context):
    for person in staff_to_warn(complaint):
        outbox.queue_email(kind=kind, to=person.email, complaint=complaint, template=template,
                           context={**context, "person": person})


@transaction.atomic
def warn_deadline(*, complaint, now=None):
    """Warn the assigned agent and the managers, once, that ADR opens soon on a complaint."""
    now = now or timezone.now()
    claimed = Complaint.objects.filter(pk=complaint.pk, deadline_warning_sent_at__isnull=True).update(
        deadline_warning_sent_at=now
    )
    if not claimed:
        return False
    opens_on = complaint.adr_deadline_date
    _email_staff(
        complaint=complaint, kind=EmailKind.DEADLINE_WARNING, template="ombudsman/email/deadline_warning",
        context={"complaint": complaint, "opens_on": opens_on, "days_left": complaint.days_left(now),
                 "admin_url": outbox.absolute_url(f"/admin/complaints/complaint/{complaint.pk}/change/")},
    )
    Event.objects.create(
        complaint=complaint, kind=EventKind.DEADLINE_WARNING, visible_to_customer=False,
        summary=f"ADR opens on {letters.uk_date(opens_on)}: agent and managers warned",
        data={"adr_opens_at": complaint.adr_opens_at.isoformat()},
    )
    return True


# --- referrals ---------------------------------------------------------------------------


def _referral_event(referral, *, actor, summary, body="", visible_to_customer=True, **data):
    Event.objects.create(
        complaint=referral.complaint, kind=EventKind.OMBUDSMAN, actor=actor, summary=summary, body=body,
        visible_to_customer=visible_to_customer, data={"referral_id": referral.pk, **data},
    )


def latest_letter(complaint):
    return complaint.letters.order_by("-letter_date", "-pk").first()


def check_referral(*, complaint, referred_on):
    """Refuse a referral the rules do not allow (raises ValidationError).

    The customer must have had the right to refer (``clock.may_refer``) on the day they did.
    """
    if not complaint.adr_rights:
        raise ValidationError("This customer has no right to ADR for this complaint.")
    if Referral.objects.filter(complaint=complaint).exists():
        raise ValidationError("This complaint has already been referred to the scheme.")
    if referred_on > uk_today():
        raise ValidationError({"referred_on": "The referral date cannot be in the future."})
    end_of_that_day = clock.uk_midnight(referred_on + timedelta(days=1)) - timedelta(microseconds=1)
    if clock.may_refer(complaint, min(end_of_that_day, timezone.now())):
        return
    if complaint.status == Status.WITHDRAWN:
        raise ValidationError("The customer withdrew this complaint: it can go to the scheme only if it is reopened.")
    if complaint.refer_by and referred_on > complaint.refer_by:
        raise ValidationError(
            {"referred_on": f"The time to refer ended on {letters.uk_date(complaint.refer_by)}."}
        )
    opens_on = clock.uk_date(clock.referral_opens_at(complaint))
    raise ValidationError({"referred_on": f"The complaint could be referred from {letters.uk_date(opens_on)} only."})


@transaction.atomic
def record_referral(*, complaint, actor, referred_on, case_reference=""):
    """Record that the customer took the complaint to the provider's ADR scheme."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    check_referral(complaint=complaint, referred_on=referred_on)
    letter = latest_letter(complaint)
    referral = Referral.objects.create(
        complaint=complaint, scheme=letter.scheme if letter else letters.provider_scheme(),
        referred_on=referred_on, case_reference=case_reference.strip(), recorded_by=actor,
    )
    _referral_event(referral, actor=actor, summary=f"Referred to {referral.scheme.short_name}",
                    body=f"Case reference {referral.case_reference}" if referral.case_reference else "",
                    referred_on=referred_on.isoformat())
    return referral


def _save_referral(referral, fields):
    referral.full_clean(exclude=["complaint", "recorded_by"])
    referral.save(update_fields=fields)


# A referral's steps are facts: each is dated no later than today, and the scheme's decision
# and the customer's answer to it are recorded once; only a manager corrects one, with a
# reason (rules, "The clock is guarded").

DECISION_FIELDS = ("decision", "decision_on", "remedy_apology", "remedy_explanation", "remedy_action",
                   "award_amount")


def check_not_in_future(**dates):
    """Refuse any of a referral's step dates (named as its fields) that is after today in the UK."""
    today = uk_today()
    errors = {field: f"The {STEP_DATES[field]} date cannot be in the future."
              for field, day in dates.items() if day and day > today}
    if errors:
        raise ValidationError(errors)


def _stored(referral):
    """Return the referral as stored, locked until the transaction ends: what is recorded already."""
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _refuse_if_recorded(stored, field, what):
    if getattr(stored, field):
        raise ValidationError(
            {field: f"The {what} is already recorded. A complaint manager can correct it, giving a reason."}
        )


def _compliance_due_on(referral):
    # Nothing to comply with until the customer accepts, nor ever for a decision not upheld.
    if referral.customer_accepted_on and referral.decision != Decision.NOT_UPHELD:
        return referral.scheme.compliance_due_on(referral.customer_accepted_on)
    return None


def _end_case(referral, ended_on):
    # The customer answered the decision: the case is over, and with it the right to refer.
    referral.complaint.adr_case_ended_on = ended_on
    Complaint.objects.filter(pk=referral.complaint_id).update(adr_case_ended_on=ended_on)


@transaction.atomic
def record_scheme_acceptance(*, referral, actor, accepted_on, case_reference=""):
    """Record that the scheme took the case on."""
    check_not_in_future(accepted_on=accepted_on)
    referral.accepted_on = accepted_on
    referral.case_reference = case_reference.strip() or referral.case_reference
    _save_referral(referral, ["accepted_on", "case_reference"])
    _referral_event(referral, actor=actor, summary=f"{referral.scheme.short_name} accepted the case",
                    body=f"Case reference {referral.case_reference}" if referral.case_reference else "",
                    accepted_on=accepted_on.isoformat())
    return referral


@transaction.atomic
def record_case_reference(*, referral, actor, case_reference):
    """Record or correct the scheme's case reference."""
    referral.case_reference = case_reference.strip()
    _save_referral(referral, ["case_reference"])
    _referral_event(referral, actor=actor, summary="Scheme case reference recorded",
                    body=referral.case_reference, visible_to_customer=bool(referral.case_reference))
    return referral


@transaction.atomic
def record_decision(*, referral, actor, decision, decided_on, apology=False, explanation=False,
                    action="", award_amount=0):
    """Record the scheme's decision and the remedies it set (award within the scheme's limit), once."""
    _refuse_if_recorded(_stored(referral), "decision", "scheme's decision")
    check_not_in_future(decision_on=decided_on)
    referral.decision = decision
    referral.decision_on = decided_on
    referral.remedy_apology = apology
    referral.remedy_explanation = explanation
    referral.remedy_action = action.strip()
    referral.award_amount = award_amount
    _save_referral(referral, ["decision", "decision_on", "remedy_apology", "remedy_explanation",
                              "remedy_action", "award_amount"])
    remedies = [name for name, given in (("an apology", apology), ("an explanation", explanation),
                                         ("an action", bool(action.strip()))) if given]
    if award_amount:
        remedies.append(f"£{award_amount:,.2f}")
    _referral_event(referral, actor=actor,
                    summary=f"{referral.scheme.short_name} decided: {Decision(decision).label.lower()}",
                    body=f"Remedies: {', '.join(remedies)}." if remedies else "",
                    decision=decision, decision_on=decided_on.isoformat(), award_amount=str(award_amount))
    return referral


@transaction.atomic
def record_customer_acceptance(*, referral, actor, accepted_on):
    """Record, once, that the customer accepted the decision; the compliance deadline starts."""
    stored = _stored(referral)
    _refuse_if_recorded(stored, "customer_accepted_on", "customer's acceptance")
    if stored.customer_rejected_on:
        raise ValidationError(
            {"customer_accepted_on": "The customer turned the decision down: they cannot also accept it."}
        )
    check_not_in_future(customer_accepted_on=accepted_on)
    referral.customer_accepted_on = accepted_on
    if referral.decision != Decision.NOT_UPHELD:
        referral.compliance_due_on = referral.scheme.compliance_due_on(accepted_on)
    _save_referral(referral, ["customer_accepted_on", "compliance_due_on"])
    _end_case(referral, accepted_on)
    summary = "The customer accepted the decision"
    if referral.compliance_due_on:
        summary += f"; we must comply by {letters.uk_date(referral.compliance_due_on)}"
    _referral_event(referral, actor=actor, summary=summary, accepted_on=accepted_on.isoformat(),
                    compliance_due_on=referral.compliance_due_on.isoformat() if referral.compliance_due_on else None)
    return referral


@transaction.atomic
def record_customer_rejection(*, referral, actor, rejected_on):
    """Record, once, that the customer turned the decision down: they are not bound, and the case ends."""
    stored = _stored(referral)
    _refuse_if_recorded(stored, "customer_rejected_on", "customer's rejection")
    if stored.customer_accepted_on:
        raise ValidationError(
            {"customer_rejected_on": "The customer accepted the decision: they cannot also turn it down."}
        )
    check_not_in_future(customer_rejected_on=rejected_on)
    referral.customer_rejected_on = rejected_on
    _save_referral(referral, ["customer_rejected_on"])
    _end_case(referral, rejected_on)
    _referral_event(referral, actor=actor, summary="The customer turned the decision down; the case is closed",
                    rejected_on=rejected_on.isoformat())
    return referral


@transaction.atomic
def record_compliance(*, referral, actor, complied_on):
    """Record that the provider did what the accepted decision required."""
    check_not_in_future(complied_on=complied_on)
    referral.complied_on = complied_on
    _save_referral(referral, ["complied_on"])
    _referral_event(referral, actor=actor, summary="We complied with the scheme's decision",
                    complied_on=complied_on.isoformat(),
                    late=bool(referral.compliance_due_on and complied_on > referral.compliance_due_on))
    return referral


def _shown(field, value):
    """Return a recorded value as staff read it in the timeline."""
    if value in (None, ""):
        return "none"
    if field == "decision":
        return Decision(value).label.lower()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return letters.uk_date(value)
    if isinstance(value, Decimal):
        return f"£{value:,.2f}"
    return str(value)


def _as_data(value):
    return value.isoformat() if isinstance(value, date) else str(value) if isinstance(value, Decimal) else value


def _correct(*, referral, actor, reason, what, must_be_recorded, values):
    """Correct recorded facts of a referral: a manager's change, with a reason, audited for staff.

    ``values`` are the corrected fields; the compliance deadline follows them. Returns the
    referral as stored after the correction.
    """
    if not is_manager(actor):
        raise PermissionDenied(f"Only a complaint manager can correct the {what}.")
    if not reason.strip():
        raise ValidationError({"reason": f"Say why the {what} is corrected: it is kept for audit."})
    stored = _stored(referral)
    if not getattr(stored, must_be_recorded):
        raise ValidationError({must_be_recorded: f"No {what} is recorded yet: record it, there is nothing to correct."})
    check_not_in_future(**{field: value for field, value in values.items() if field in STEP_DATES})
    fields = [*values, "compliance_due_on"]
    previous = {field: getattr(stored, field) for field in fields}
    for field, value in values.items():
        setattr(stored, field, value.strip() if isinstance(value, str) else value)
    stored.compliance_due_on = _compliance_due_on(stored)
    changed = [field for field in fields if getattr(stored, field) != previous[field]]
    if not changed:
        raise ValidationError(f"That is the {what} already recorded: there is nothing to correct.")
    if stored.compliance_due_on != previous["compliance_due_on"] and not stored.complied_on:
        # A new deadline: the sweep reminds and flags against it, not the old one.
        stored.compliance_reminder_sent_at = stored.compliance_overdue_at = None
        fields += ["compliance_reminder_sent_at", "compliance_overdue_at"]
    _save_referral(stored, fields)
    if stored.customer_accepted_on and "customer_accepted_on" in changed:
        _end_case(stored, stored.customer_accepted_on)
    labels = {field: Referral._meta.get_field(field).verbose_name for field in changed}
    summary = f"The {what} was corrected: " + "; ".join(
        f"{labels[field]} {_shown(field, previous[field])} → {_shown(field, getattr(stored, field))}"
        for field in changed
    )
    _referral_event(stored, actor=actor, summary=summary[:300], body=reason.strip(), visible_to_customer=False,
                    corrected=what, reason=reason.strip(),
                    previous={field: _as_data(previous[field]) for field in changed},
                    new={field: _as_data(getattr(stored, field)) for field in changed})
    return stored


@transaction.atomic
def correct_decision(*, referral, actor, reason, decision, decided_on, apology=False, explanation=False,
                     action="", award_amount=0):
    """A manager corrects the scheme's recorded decision and remedies, giving a reason.

    Refuses anyone else (PermissionDenied), a decision date in the future and a referral with
    no decision yet (ValidationError). The compliance deadline follows the corrected decision.
    """
    return _correct(referral=referral, actor=actor, reason=reason, what="scheme's decision",
                    must_be_recorded="decision",
                    values={"decision": decision, "decision_on": decided_on, "remedy_apology": apology,
                            "remedy_explanation": explanation, "remedy_action": action,
                            "award_amount": Decimal(str(award_amount))})


@transaction.atomic
def correct_customer_acceptance(*, referral, actor, reason, accepted_on):
    """A manager corrects the day the customer accepted the decision, giving a reason.

    Refuses anyone else (PermissionDenied), a date in the future and a referral whose
    customer's acceptance is not recorded (ValidationError). The compliance deadline is
    worked out again from the corrected day.
    """
    return _correct(referral=referral, actor=actor, reason=reason, what="customer's acceptance",
                    must_be_recorded="customer_accepted_on", values={"customer_accepted_on": accepted_on})


def _alert_compliance(*, referral, now, once_field, overdue, summary):
    """Email the staff about a compliance deadline once, claimed by ``once_field``, and record it."""
    claimed = Referral.objects.filter(
        pk=referral.pk, complied_on__isnull=True, **{f"{once_field}__isnull": True}
    ).update(**{once_field: now or timezone.now()})
    if not claimed:
        return False
    _email_staff(complaint=referral.complaint, kind=EmailKind.OTHER, template="ombudsman/email/compliance_due",
                 context={"referral": referral, "complaint": referral.complaint, "overdue": overdue})
    _referral_event(referral, actor=None, visible_to_customer=False, summary=summary)
    return True


@transaction.atomic
def remind_compliance(*, referral, now=None):
    """Remind the agent and managers, once, that a compliance deadline is near."""
    return _alert_compliance(
        referral=referral, now=now, once_field="compliance_reminder_sent_at", overdue=False,
        summary=f"Compliance due on {letters.uk_date(referral.compliance_due_on)}: staff reminded",
    )


@transaction.atomic
def flag_compliance_overdue(*, referral, now=None):
    """Flag, once, a compliance deadline that passed without compliance, and tell the staff."""
    return _alert_compliance(
        referral=referral, now=now, once_field="compliance_overdue_at", overdue=True,
        summary=f"Compliance overdue: it was due on {letters.uk_date(referral.compliance_due_on)}",
    )


@transaction.atomic
def mark_letter_posted(*, letter, actor):
    """Record that a letter in the print queue was printed and posted."""
    now = timezone.now()
    posted = Letter.objects.filter(pk=letter.pk, status=LetterStatus.PRINT_QUEUED).update(
        status=LetterStatus.POSTED, sent_at=now
    )
    if posted:
        Event.objects.create(
            complaint=letter.complaint, kind=EventKind.LETTER, actor=actor,
            summary=f"{letter.get_kind_display()} posted", data={"letter_id": letter.pk},
        )
    return bool(posted)


# --- waiting-period policies ---------------------------------------------------------------


def check_waiting_period_policy(*, effective_from, policy=None):
    """Refuse a policy's date the rules do not allow (raises ValidationError).

    A policy takes effect from tomorrow (UK) or later: a day that has begun has fixed the
    clocks of the complaints received on it. One already in force stays as it was.
    ``policy`` is the stored policy being corrected, if any.
    """
    tomorrow = uk_today() + timedelta(days=1)
    if policy is not None and policy.effective_from < tomorrow:
        raise ValidationError(
            f"This policy has been in force since {letters.uk_date(policy.effective_from)}: it fixed the clocks of "
            "complaints received under it, so it stays as it is. Add a new policy instead."
        )
    if effective_from is not None and effective_from < tomorrow:
        raise ValidationError({"effective_from": (
            f"A waiting period takes effect from tomorrow ({letters.uk_date(tomorrow)}) or later: complaints "
            "received until then keep the period in force when they were received."
        )})


def _may_set_policies(actor):
    if not is_manager(actor):
        raise PermissionDenied("Only a complaint manager can set the waiting period.")


def _save_policy(policy):
    policy.note = policy.note.strip()
    policy.full_clean()  # 1 to 56 days (the database's constraint too) and one policy a day
    policy.save()
    return policy


@transaction.atomic
def add_waiting_period_policy(*, effective_from, days, note="", actor):
    """Add a waiting period for complaints received from ``effective_from`` (tomorrow or later)."""
    _may_set_policies(actor)
    check_waiting_period_policy(effective_from=effective_from)
    return _save_policy(WaitingPeriodPolicy(effective_from=effective_from, days=days, note=note))


@transaction.atomic
def change_waiting_period_policy(*, policy, effective_from, days, note="", actor):
    """Correct a policy not yet in force; its new date must still be tomorrow or later."""
    _may_set_policies(actor)
    stored = WaitingPeriodPolicy.objects.select_for_update().get(pk=policy.pk)
    check_waiting_period_policy(effective_from=effective_from, policy=stored)
    stored.effective_from, stored.days, stored.note = effective_from, days, note
    return _save_policy(stored)


@transaction.atomic
def delete_waiting_period_policy(*, policy, actor):
    """Delete a policy not yet in force."""
    _may_set_policies(actor)
    stored = WaitingPeriodPolicy.objects.select_for_update().get(pk=policy.pk)
    check_waiting_period_policy(effective_from=None, policy=stored)
    stored.delete()
