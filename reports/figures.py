"""The figures of one report, each read from the database once, however many tables show it.

A million complaints make reading rows the cost that matters, so each set of complaints is
read once: those received in the period, those closed in it, those open now. Each query
groups its set just finely enough (product, week, band of the period return, ...) for every
table to sum what it needs from the groups (a few thousand at most); days are counted on the
UK dates the database keeps (Complaint.received_uk_date, closed_uk_date), and PostgreSQL may
answer from covering indexes (see Complaint.Meta.indexes). Python loops over groups, never
over complaints. reports.db.room_to_group gives the grouping the memory it needs.
"""

from collections import Counter
from datetime import timedelta
from functools import cached_property

from django.db.models import Count, DateField, ExpressionWrapper, F, IntegerField, Q, Value

from clock import uk_midnight, uk_today
from complaints.models import Product, RootCause, Status
from reports.db import DaysBetween, percentile
from reports.period_return import band_filters, business_day_cutoffs
from reports.periods import AGE_BANDS
from reports.queries import UPHELD, goodwill_paid, open_now, redress_paid, share

# Day 0 is the UK date received (see reports.periods).
RESOLUTION_DAYS = DaysBetween("closed_uk_date", "received_uk_date")


class Figures:
    """The figures for a scope (period and filters), as of ``now``, computed when first asked for."""

    def __init__(self, scope, now=None):
        self.scope = scope
        self.now = now
        self.weeks = scope.period.week_starts()

    def week_of(self, field):
        """Return an expression for the index, in ``self.weeks``, of the UK week (Monday to
        Sunday) a UK date falls in."""
        # Whole days since the first Monday, divided without remainder by both databases.
        first_monday = Value(self.weeks[0], output_field=DateField())
        return ExpressionWrapper(DaysBetween(field, first_monday) / 7, output_field=IntegerField())

    @cached_property
    def received(self):
        """Return {(product, week index): complaints received in the period}."""
        scope = self.scope
        rows = (scope.complaints().filter(scope.within("received_at"))
                .values_list("product", self.week_of("received_uk_date")).annotate(Count("pk")).order_by())
        return {(product, week): count for product, week, count in rows}

    @cached_property
    def closed(self):
        """Return the complaints closed in the period, grouped by status, product, root cause
        and week, counted in all, before their ADR deadline and in each band of the period
        return, with their outcomes: upheld, remedies given, redress paid and goodwill paid (money
        given on complaints not upheld, counted apart from redress)."""
        scope = self.scope
        # Counts with filters rather than more grouping keys: PostgreSQL cannot tell how few
        # groups computed keys make, and plans for far too many.
        bands = band_filters(business_day_cutoffs(scope.period))
        return list(
            scope.complaints().filter(scope.closed())
            .annotate(days_to_close=RESOLUTION_DAYS)
            .values("status", "product", "root_cause", week=self.week_of("closed_uk_date"))
            .annotate(
                # Redress and goodwill first: they filter on the upheld column, which the count
                # named "upheld" below would stand for once annotated.
                redress=redress_paid(),
                goodwill=goodwill_paid(),
                count=Count("pk"),
                in_time=Count("pk", filter=Q(closed_at__lt=F("adr_opens_at"))),
                **{f"band{index}": Count("pk", filter=band) for index, band in enumerate(bands)},
                upheld=Count("pk", filter=Q(upheld__in=UPHELD)),
                apologies=Count("pk", filter=Q(remedy_apology=True)),
                explanations=Count("pk", filter=Q(remedy_explanation=True)),
                credits=Count("pk", filter=Q(credit_amount__gt=0)),
                refunds=Count("pk", filter=Q(refund_amount__gt=0)),
            )
            .order_by()
        )

    @cached_property
    def resolution_days(self):
        """Return {whole UK days from receipt to resolution: complaints resolved in the period}."""
        scope = self.scope
        return dict(
            scope.complaints().filter(scope.resolved())
            .values_list(RESOLUTION_DAYS).annotate(Count("pk")).order_by()
        )

    @cached_property
    def open_by_age(self):
        """Return {product: [open complaints in each age band]}, ages as of today."""
        today = uk_today(self.now)
        counts = {}
        for index, (_label, first_day, last_day) in enumerate(AGE_BANDS):
            # Aged at least n days means received before 00:00 on the day after day n.
            band = Q()
            if index:
                band &= Q(received_at__lt=uk_midnight(today - timedelta(days=first_day - 1)))
            if last_day is not None:
                band &= Q(received_at__gte=uk_midnight(today - timedelta(days=last_day)))
            counts[f"band{index}"] = Count("pk", filter=band)
        rows = self.scope.complaints().filter(open_now()).values("product").annotate(**counts).order_by()
        return {row.pop("product"): list(row.values()) for row in rows}

    def _closed_sum(self, field="count", **match):
        return sum(row[field] for row in self.closed if all(row[key] == value for key, value in match.items()))

    def headline(self):
        """Return the complaint figures at the top of the page."""
        scope = self.scope
        figures = {
            "open": sum(sum(counts) for counts in self.open_by_age.values()),
            "received": sum(self.received.values()),
            "resolved": self._closed_sum(status=Status.RESOLVED),
            "resolved_in_time": self._closed_sum("in_time", status=Status.RESOLVED),
            "withdrawn": self._closed_sum(status=Status.WITHDRAWN),
            "deadlocks": scope.complaints().filter(scope.within("deadlock_at")).count(),
        }
        figures["resolved_in_time_share"] = share(figures["resolved_in_time"], figures["resolved"])
        for key, fraction in (("median_days", 0.5), ("p90_days", 0.9)):
            value = percentile(self.resolution_days, fraction)
            figures[key] = None if value is None else round(value, 1)
        return figures

    def age_bands(self):
        """Return open complaints counted by age band, one row per product, as of today."""
        products = [Product(self.scope.product)] if self.scope.product else list(Product)
        zero = [0] * len(AGE_BANDS)
        return [(product, self.open_by_age.get(product, zero)) for product in products]

    def trends(self):
        """Return (week beginning, received, resolved) for every week the period touches."""
        received, resolved = Counter(), Counter()
        for (_product, week), count in self.received.items():
            received[week] += count
        for row in self.closed:
            if row["status"] == Status.RESOLVED:
                resolved[row["week"]] += row["count"]
        return [(monday, received[index], resolved[index]) for index, monday in enumerate(self.weeks)]

    def root_causes(self):
        """Return outcomes of complaints resolved in the period, per root cause and product,
        by root cause name (not recorded last), then product."""
        outcomes = ("count", "upheld", "apologies", "explanations", "credits", "refunds", "redress", "goodwill")
        groups = {}
        for row in self.closed:
            if row["status"] == Status.RESOLVED:
                found = groups.setdefault((row["root_cause"], row["product"]), dict.fromkeys(outcomes, 0))
                for key in outcomes:
                    found[key] += row[key]
        names = dict(RootCause.objects.filter(pk__in={cause for cause, _product in groups}).values_list("pk", "name"))
        rows = [{"root_cause__name": names.get(cause), "product": product, **found}
                for (cause, product), found in groups.items()]
        return sorted(rows, key=lambda row: (row["root_cause__name"] is None, row["root_cause__name"] or "",
                                             row["product"]))
