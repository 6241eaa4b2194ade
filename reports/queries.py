"""What a report covers (its scope), and the complaints reaching ADR soon. The period's figures are in
reports.figures.

Python only ever loops over the few groups a query returns (weeks, products, agents), never
over complaints. Closed figures count each complaint once, at its latest closing: a
complaint resolved in a period and reopened since counts as open.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.http import urlencode

import clock
from accounts.models import User
from complaints.models import CLOSED_STATUSES, Category, Channel, Complaint, Product, Status, Upheld
from reports.periods import Period

UPHELD = (Upheld.UPHELD, Upheld.PARTLY)
FORECAST_DAYS = (7, 14)


@dataclass(frozen=True)
class Scope:
    """What a report covers: a period and, optionally, one product, category, channel or agent."""

    period: Period
    product: str = ""
    category: str = ""
    channel: str = ""
    agent: User | None = None

    def complaints(self):
        """Return the complaints the filters select, whatever their dates.

        A duplicate merged into another complaint is no complaint of its own: the one it was
        merged into counts for both.
        """
        return Complaint.objects.exclude(status=Status.MERGED).filter(**self.lookups())

    def lookups(self):
        """Return the filters as field lookups (which Django's admin also understands)."""
        lookups = {
            f"{name}__exact": value
            for name, value in (("product", self.product), ("category", self.category), ("channel", self.channel))
            if value
        }
        if self.agent:
            lookups["assigned_to__id__exact"] = self.agent.pk
        return lookups

    def cache_key(self):
        """Return text that differs whenever the period or the complaints selected differ."""
        lookups = "&".join(f"{name}={value}" for name, value in sorted(self.lookups().items()))
        return f"{self.period.first}:{self.period.last}:{lookups}"

    def query(self):
        """Return the query string that asks the report's pages for this scope (as its filter form reads it)."""
        params = {"date_from": self.period.first.isoformat(), "date_to": self.period.last.isoformat(),
                  "product": self.product, "category": self.category, "channel": self.channel,
                  "agent": self.agent.pk if self.agent else ""}
        return urlencode({name: value for name, value in params.items() if value})

    def describe(self):
        """Say in words which complaints the filters select (empty for all)."""
        parts = [
            f"{label}: {choices(value).label}"
            for label, choices, value in (("product", Product, self.product), ("category", Category, self.category),
                                          ("arrived by", Channel, self.channel))
            if value
        ]
        if self.agent:
            parts.append(f"agent: {self.agent.full_name or self.agent.email}")
        return parts

    def within(self, field):
        """Select complaints whose ``field`` falls in the period."""
        return Q(**{f"{field}__gte": self.period.start, f"{field}__lt": self.period.end})

    def resolved(self):
        return Q(status=Status.RESOLVED) & self.within("closed_at")

    def closed(self):
        return Q(status__in=CLOSED_STATUSES) & self.within("closed_at")


def open_now():
    """Select the complaints open now: as the agents' list index says it, so the reports share it."""
    return ~Q(status__in=CLOSED_STATUSES)


def share(part, whole):
    """Return ``part`` as a percentage of ``whole`` to 0.1, or None when ``whole`` is 0."""
    return round(100 * part / whole, 1) if whole else None


def _money(given_on):
    return Coalesce(
        Sum(F("credit_amount") + F("refund_amount"), filter=given_on), Value(Decimal("0.00")),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def redress_paid():
    """Sum the credits and refunds that put right complaints upheld, fully or partly, in a group."""
    return _money(~Q(upheld=Upheld.NOT_UPHELD))


def goodwill_paid():
    """Sum the credits and refunds given as goodwill (on complaints not upheld) in a group."""
    return _money(Q(upheld=Upheld.NOT_UPHELD))


@dataclass(frozen=True)
class ForecastRow:
    agent_id: int | None
    agent_name: str
    counts: tuple  # complaints whose deadline falls in the next 7 days, then 14


def reaching_adr(scope, now=None):
    """Return, per agent, the complaints reaching ADR in the next 7 and 14 days (``clock.reaching_adr_q``).

    Running clocks only: a complaint whose customer was told (a deadlock letter) or which
    is closed is reaching nothing.
    """
    now = now or timezone.now()
    counts = {f"next{days}": Count("pk", filter=clock.reaching_adr_q(now, days)) for days in FORECAST_DAYS}
    rows = (
        scope.complaints().filter(clock.reaching_adr_q(now, max(FORECAST_DAYS)))
        .values("assigned_to", "assigned_to__full_name").annotate(**counts)
        .order_by(F("assigned_to__full_name").asc(nulls_last=True), "assigned_to")
    )
    return [
        ForecastRow(
            agent_id=row["assigned_to"], agent_name=row["assigned_to__full_name"] or "Unassigned",
            counts=tuple(row[key] for key in counts),
        )
        for row in rows
    ]
