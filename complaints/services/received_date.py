"""Correcting when a complaint was received, guarding the moment ADR opens.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat, timezone

import clock
from complaints.models import (
    Complaint,
    EmailKind,
    Event,
    EventKind,
    PostalKind,
    Status,
)
from complaints.services.filing import (
    _complaint_email_context,
    _send_to_customer,
)
from ombudsman.models import WaitingPeriodPolicy


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
    if complaint.status == Status.MERGED:
        # Its clock is the survivor's now: a date it was first complained is corrected there.
        raise ValidationError({"received_at": f"This complaint was merged into "
                                              f"{complaint.merged_into.tracking_number}: correct the date there."})
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
