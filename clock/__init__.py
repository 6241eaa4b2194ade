"""The clock: the UK calendar, the ADR waiting period, the customer's right to ADR and the
clock's states as staff read them (``../shared/rules.md``, "The clock").

Every app reads these rules from here and states none of them again: whoever needs a UK
date, an ADR date, a working day, whether a customer may go to the ombudsman, or which
state a complaint's clock is in, asks this module. It sits below every app (it imports
only Django and the calendar libraries), so any app may use it without an import cycle.

Where lists need a rule it comes in two forms that a test proves agree: a function for one
complaint and a ``Q`` (or ``Case``) expression for many.
"""

import argparse
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

UK = ZoneInfo("Europe/London")

# --- the UK calendar ---------------------------------------------------------------------


def uk_time(moment):
    """Return a moment as UK (Europe/London) local time, for what people read."""
    return timezone.localtime(moment, UK)


def uk_date(moment):
    """Return the UK calendar date of a moment."""
    return uk_time(moment).date()


def uk_today(now=None):
    """Return the UK calendar date at ``now`` (by default, now)."""
    return uk_date(now or timezone.now())


def moment_argument(text):
    """Read a moment typed on a command line: ISO 8601, UK time if it gives no offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"give an ISO date and time, such as 2026-03-29T00:00:00+01:00 ({exc})") from exc
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UK)


def uk_midnight(day):
    """Return 00:00 Europe/London on a date, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=UK)


class UKDate(TruncDate):
    """The UK calendar date of a moment, computed by the database."""

    def __init__(self, expression, **extra):
        super().__init__(expression, tzinfo=UK, **extra)


def bank_holidays(first_year, last_year):
    """Return England and Wales bank holidays (they share them) for a span of years."""
    return holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))


def is_working_day(day, bank_holiday_dates=None):
    """Say whether a date is a working day in England and Wales."""
    if bank_holiday_dates is None:
        bank_holiday_dates = bank_holidays(day.year, day.year)
    return day.weekday() < 5 and day not in bank_holiday_dates


def add_working_days(start: date, count: int, bank_holiday_dates=None) -> date:
    """Return the date ``count`` England-and-Wales working days after ``start`` (day 0)."""
    if bank_holiday_dates is None:
        # About 250 working days make a year.
        bank_holiday_dates = bank_holidays(start.year, start.year + 1 + count // 250)
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day, bank_holiday_dates):
            count -= 1
    return day


def next_working_day(day: date) -> date:
    """Return ``day`` if it is a working day, or else the first working day after it."""
    bank_holiday_dates = bank_holidays(day.year, day.year + 1)
    while not is_working_day(day, bank_holiday_dates):
        day += timedelta(days=1)
    return day


# --- the waiting period ------------------------------------------------------------------


def adr_opens_at(received_at, waiting_period_days):
    """Return when ADR opens: 00:00 UK time on day N, day 0 being the UK day of receipt.

    Whatever the time of receipt, and across clock changes.
    """
    return uk_midnight(uk_date(received_at) + timedelta(days=waiting_period_days))


def period_in_words(days):
    """Say a waiting period in whole weeks where it is one ("8 weeks"), in days otherwise."""
    if days % 7 == 0:
        weeks = days // 7
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"


def days_since_receipt(received_at, now=None):
    """Return which day of the waiting period it is (the day of receipt is day 0)."""
    return (uk_today(now) - uk_date(received_at)).days


def days_left(complaint, now=None):
    """Return the calendar days until ADR opens (0 on the day it opens, negative after)."""
    return (uk_date(complaint.adr_opens_at) - uk_today(now)).days


def reaching_adr_lookups(now, days):
    """Field lookups for the complaints with ADR rights reaching ADR on one of the next ``days`` UK dates.

    From tomorrow: ADR opens at 00:00, so a date of today has been reached already. These
    complaints are all running (open, no letter, ADR still to come); as plain lookups they
    also go into links to the desk's list.
    """
    tomorrow = uk_today(now) + timedelta(days=1)
    return {"adr_rights": True, "status__in": OPEN_STATUSES, "customer_told_at__isnull": True,
            "adr_opens_at__gte": uk_midnight(tomorrow),
            "adr_opens_at__lt": uk_midnight(tomorrow + timedelta(days=days))}


def reaching_adr_q(now, days):
    """The complaints reaching ADR on one of the next ``days`` UK dates (``reaching_adr_lookups``)."""
    return Q(**reaching_adr_lookups(now, days))


# --- the complaint's status, as far as the clock cares -------------------------------------


class Status(models.TextChoices):
    """A complaint's status. The clock never pauses for any of them; resolved, withdrawn and
    merged close a complaint. Withdrawal ends the customer's right to ADR; a complaint merged
    into another (a duplicate) keeps no right of its own: it lives on in that other one."""

    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Investigating"
    AWAITING_CUSTOMER = "awaiting_customer", "Waiting for your reply"
    RESOLUTION_PROPOSED = "resolution_proposed", "Resolution proposed"
    DEADLOCK = "deadlock", "Deadlock"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MERGED = "merged", "Merged"


CLOSED_STATUSES = (Status.RESOLVED, Status.WITHDRAWN, Status.MERGED)
OPEN_STATUSES = tuple(status for status in Status if status not in CLOSED_STATUSES)


# --- the customer's right ----------------------------------------------------------------
#
# The customer may take a complaint to ADR once its waiting period has ended or an ADR or
# deadlock letter was written, whatever the provider thinks of it (a resolved complaint
# too). The right ends when the customer withdraws it (reopening restores it), after the
# last day to refer (12 months from the latest letter; with no letter, no deadline is
# stated), or when an ADR case on it has finished. Complaints keep the dates this needs
# (``customer_told_at``, ``refer_by``, ``adr_case_ended_on``), written by the services that
# write letters and record referrals. A merged duplicate's right is its survivor's.

NO_RIGHT_STATUSES = (Status.WITHDRAWN, Status.MERGED)


def referral_opens_at(complaint):
    """Return when the customer may first go to ADR (None without ADR rights)."""
    if not complaint.adr_rights:
        return None
    if complaint.customer_told_at and complaint.customer_told_at < complaint.adr_opens_at:
        return complaint.customer_told_at
    return complaint.adr_opens_at


def may_refer(complaint, now=None):
    """Say whether the customer may take the complaint to the ombudsman now."""
    now = now or timezone.now()
    opens_at = referral_opens_at(complaint)
    return (
        opens_at is not None and now >= opens_at
        and complaint.status not in NO_RIGHT_STATUSES
        and (complaint.refer_by is None or uk_today(now) <= complaint.refer_by)
        and complaint.adr_case_ended_on is None
    )


def may_refer_q(now):
    """The complaints whose customer may take them to the ombudsman now (see ``may_refer``)."""
    return (
        Q(adr_rights=True)
        & (Q(adr_opens_at__lte=now) | Q(customer_told_at__lte=now))
        & ~Q(status__in=NO_RIGHT_STATUSES)
        & (Q(refer_by__isnull=True) | Q(refer_by__gte=uk_today(now)))
        & Q(adr_case_ended_on__isnull=True)
    )


# --- the clock's states, as staff read them ------------------------------------------------


class ClockState(models.TextChoices):
    # A complaint with ADR rights is in exactly one of the first five, checked in this order.
    CUSTOMER_TOLD = "told", "Customer told"
    CLOSED_IN_TIME = "closed_in_time", "Closed in time"
    CLOSED_LATE = "closed_late", "Closed late"
    RUNNING = "running", "Running"
    BREACH = "breach", "Breach"
    # A complaint without ADR rights is running, closed, or past the period (no letter owed).
    CLOSED = "closed", "Closed"
    PAST_PERIOD = "past_period", "Past the period"


def state(complaint, now=None):
    """Return the state of one complaint's clock (the rules' order; see ``state_q``)."""
    now = now or timezone.now()
    closed = complaint.status in CLOSED_STATUSES
    if not complaint.adr_rights:
        if closed:
            return ClockState.CLOSED
        return ClockState.RUNNING if now < complaint.adr_opens_at else ClockState.PAST_PERIOD
    if complaint.customer_told_at is not None:
        return ClockState.CUSTOMER_TOLD
    if closed:
        return ClockState.CLOSED_IN_TIME if complaint.closed_at < complaint.adr_opens_at else ClockState.CLOSED_LATE
    return ClockState.RUNNING if now < complaint.adr_opens_at else ClockState.BREACH


def state_q(clock_state, now):
    """The complaints in a state at ``now``: conditions that exclude each other, for filters.

    Closed is said by the status, as the partial indexes on open complaints say it; a closed
    complaint always has its closing moment (a database constraint).
    """
    rights, told, closed = Q(adr_rights=True), Q(customer_told_at__isnull=False), Q(status__in=CLOSED_STATUSES)
    return {
        ClockState.CUSTOMER_TOLD: rights & told,
        ClockState.CLOSED_IN_TIME: rights & ~told & closed & Q(closed_at__lt=F("adr_opens_at")),
        ClockState.CLOSED_LATE: rights & ~told & closed & Q(closed_at__gte=F("adr_opens_at")),
        ClockState.RUNNING: ~closed & Q(adr_opens_at__gt=now) & (~rights | ~told),
        ClockState.BREACH: rights & ~told & ~closed & Q(adr_opens_at__lte=now),
        ClockState.CLOSED: ~rights & closed,
        ClockState.PAST_PERIOD: ~rights & ~closed & Q(adr_opens_at__lte=now),
    }[clock_state]


def state_expression(now):
    """The state of each complaint's clock at ``now``, as a database expression to annotate."""
    return Case(*(When(state_q(value, now), then=Value(value)) for value in ClockState),
                output_field=models.CharField())

