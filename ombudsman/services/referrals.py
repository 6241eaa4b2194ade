"""Referrals to the ADR scheme and what became of them: the facts recorded once, a manager's
corrections, and the compliance deadline's reminders.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import clock
from accounts.roles import is_manager
from clock import uk_today
from complaints.models import Complaint, EmailKind, Event, EventKind, Status
from ombudsman import letters
from ombudsman.models import Decision, Referral
from ombudsman.models.referrals import STEP_DATES
from ombudsman.services.letters import email_staff


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


ANSWERS = ("customer_accepted_on", "customer_rejected_on")


def _refuse_second_answer(stored, field, what, contradiction):
    """Refuse an answer to the decision recorded already, or that contradicts the other one."""
    _refuse_if_recorded(stored, field, what)
    if any(getattr(stored, answer) for answer in ANSWERS if answer != field):
        raise ValidationError({field: contradiction})


@transaction.atomic
def record_customer_acceptance(*, referral, actor, accepted_on):
    """Record, once, that the customer accepted the decision; the compliance deadline starts."""
    _refuse_second_answer(_stored(referral), "customer_accepted_on", "customer's acceptance",
                          "The customer turned the decision down: they cannot also accept it.")
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
    _refuse_second_answer(_stored(referral), "customer_rejected_on", "customer's rejection",
                          "The customer accepted the decision: they cannot also turn it down.")
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
    email_staff(complaint=referral.complaint, kind=EmailKind.OTHER, template="ombudsman/email/compliance_due",
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
