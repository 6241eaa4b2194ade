"""The period return: complaints received, closed (in time bands), upheld, outstanding and
redress paid in a period, per product, as the FCA's DISP returns count them.

Every complaint closed in the period falls in exactly one band (see reports.periods for how
days are counted): within 3 business days; after that but within 4 weeks (by day 27);
within 4-8 weeks (days 28 to 55); after 8 weeks (day 56 or later).
"""

import operator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import reduce

from django.db.models import Case, Count, Q, Value, When

from complaints.models import Product
from reports.db import DaysBetween, uk_date
from reports.periods import BUSINESS_DAYS_LOOKBACK, business_day_offsets
from reports.queries import UPHELD, open_now, redress_paid

BANDS = (
    "Closed within 3 business days",
    "Closed within 4 weeks",
    "Closed within 4-8 weeks",
    "Closed after 8 weeks",
)


@dataclass(frozen=True)
class ReturnRow:
    product: str
    received: int
    closed: tuple  # one count per band, in BANDS order
    upheld: int
    outstanding: int
    redress: Decimal


def business_day_cutoffs(scope):
    """Return ``{days: [dates]}``: a complaint received on one of the dates was closed within 3
    business days if it was closed within that many calendar days.

    The cutoff depends on the date received (weekends, bank holidays), so Python works it out
    per date, for the few dates that could qualify; the database then matches each
    complaint's received date and days to closing against them.
    """
    return business_day_offsets(scope.period.first - timedelta(days=BUSINESS_DAYS_LOOKBACK), scope.period.last)


def period_return(scope):
    """Return one row per product (all products, or the one filtered on) and a total row.

    Four queries, each selecting its rows by one indexed column: complaints closed in the
    period, received in it, open now, and closed after it.
    """
    period = scope.period
    cutoffs = business_day_cutoffs(scope)
    within_business_days = reduce(operator.or_, (
        Q(days_to_close__lte=days, received_on__in=dates) for days, dates in sorted(cutoffs.items())
    ))
    # Each complaint's band, worked out once, the cheap tests first: most complaints are
    # decided by their days to closing alone.
    band = Case(
        When(days_to_close__gte=56, then=Value(3)),
        When(days_to_close__gte=28, then=Value(2)),
        When(days_to_close__gt=max(cutoffs), then=Value(1)),
        When(within_business_days, then=Value(0)),
        default=Value(1),
    )
    closed = (
        scope.complaints().filter(scope.closed())
        .annotate(received_on=uk_date("received_at"), days_to_close=DaysBetween("closed_at", "received_at"))
        .values("product", band=band)
        .annotate(count=Count("pk"), upheld=Count("pk", filter=Q(upheld__in=UPHELD)), redress=redress_paid())
        .order_by()
    )
    # Outstanding at the end: received by then and not closed by then, that is open now
    # (closed_at is empty exactly while open) or closed after the end. Three queries, each on
    # one indexed column, rather than one that reads every complaint received before the end.
    received = _per_product(scope.complaints().filter(scope.within("received_at")))
    outstanding = _per_product(scope.complaints().filter(open_now(), received_at__lt=period.end))
    for product, count in _per_product(
        scope.complaints().filter(closed_at__gte=period.end, received_at__lt=period.end)
    ).items():
        outstanding[product] = outstanding.get(product, 0) + count
    counted = {product: {"received": received.get(product, 0), "outstanding": outstanding.get(product, 0)}
               for product in {*received, *outstanding}}
    closed_by_product = {}
    for row in closed:  # a row per product and band: at most 28
        found = closed_by_product.setdefault(row["product"], {"bands": [0] * len(BANDS), "upheld": 0,
                                                              "redress": Decimal("0.00")})
        found["bands"][row["band"]] = row["count"]
        found["upheld"] += row["upheld"]
        found["redress"] += row["redress"]
    products = [Product(scope.product)] if scope.product else list(Product)
    result = [_row(product.label, closed_by_product.get(product, {}), counted.get(product, {}))
              for product in products]
    total = ReturnRow(
        product="All products",
        received=sum(row.received for row in result),
        closed=tuple(sum(counts) for counts in zip(*(row.closed for row in result), strict=True)),
        upheld=sum(row.upheld for row in result),
        outstanding=sum(row.outstanding for row in result),
        redress=sum((row.redress for row in result), Decimal("0.00")),
    )
    return result, total


def _per_product(complaints):
    return dict(complaints.values_list("product").annotate(Count("pk")).order_by())


def _row(label, closed, counted):
    return ReturnRow(
        product=label, received=counted.get("received", 0),
        closed=tuple(closed.get("bands", [0] * len(BANDS))), upheld=closed.get("upheld", 0),
        outstanding=counted.get("outstanding", 0), redress=closed.get("redress", Decimal("0.00")),
    )
