"""The period return: complaints received, closed (in time bands), upheld, outstanding and
redress paid in a period, per product, as the FCA's DISP returns count them; and, apart from
redress, the goodwill paid on complaints not upheld.

Every complaint closed in the period falls in exactly one band (see reports.periods for how
days are counted): within 3 business days; after that but within 4 weeks (by day 27);
within 4-8 weeks (days 28 to 55); after 8 weeks (day 56 or later).
"""

import operator
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import reduce

from django.db.models import Count, Q

from complaints.models import Product
from reports.periods import BUSINESS_DAYS_LOOKBACK, business_day_offsets
from reports.queries import open_now

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
    goodwill: Decimal


def business_day_cutoffs(period):
    """Return ``{days: [dates]}``: a complaint received on one of the dates was closed within 3
    business days if it was closed within that many calendar days.

    The cutoff depends on the date received (weekends, bank holidays), so Python works it out
    per date, for the few dates that could qualify; the database then matches each
    complaint's received date and days to closing against them.
    """
    return business_day_offsets(period.first - timedelta(days=BUSINESS_DAYS_LOOKBACK), period.last)


def band_filters(cutoffs):
    """Return, in BANDS order, the filter selecting the closed complaints (annotated with their
    ``days_to_close``) in each band. Every closed complaint matches exactly one."""
    # The cheap test first: most complaints are decided by their days to closing alone.
    within_business_days = Q(days_to_close__lte=max(cutoffs)) & reduce(operator.or_, (
        Q(days_to_close__lte=days, received_uk_date__in=dates) for days, dates in sorted(cutoffs.items())
    ))
    return (
        within_business_days,
        Q(days_to_close__lt=28) & ~within_business_days,
        Q(days_to_close__gte=28, days_to_close__lt=56),
        Q(days_to_close__gte=56),
    )


def period_return(figures):
    """Return one row per product (all products, or the one filtered on) and a total row.

    Closed, upheld, redress, goodwill and received come from the report's figures; outstanding takes
    two more queries, each selecting its rows by one indexed column.
    """
    scope, period = figures.scope, figures.scope.period
    closed = {}
    for row in figures.closed:  # a group per status, product, root cause and week
        found = closed.setdefault(row["product"], _nothing_closed())
        for band in range(len(BANDS)):
            found["bands"][band] += row[f"band{band}"]
        for key in ("upheld", "redress", "goodwill"):
            found[key] += row[key]
    received = Counter()
    for (product, _week), count in figures.received.items():
        received[product] += count
    # Outstanding at the end: received by then and not closed by then, that is open now
    # (a constraint keeps closed_at empty exactly while open) or closed after the end.
    outstanding = Counter(_per_product(scope.complaints().filter(open_now(), received_at__lt=period.end)))
    outstanding.update(_per_product(scope.complaints().filter(closed_at__gte=period.end, received_at__lt=period.end)))
    products = [Product(scope.product)] if scope.product else list(Product)
    result = []
    for product in products:
        found = closed.get(product, _nothing_closed())
        result.append(ReturnRow(product=product.label, received=received[product], closed=tuple(found["bands"]),
                                upheld=found["upheld"], outstanding=outstanding[product], redress=found["redress"],
                                goodwill=found["goodwill"]))
    total = ReturnRow(
        product="All products",
        received=sum(row.received for row in result),
        closed=tuple(sum(counts) for counts in zip(*(row.closed for row in result), strict=True)),
        upheld=sum(row.upheld for row in result),
        outstanding=sum(row.outstanding for row in result),
        redress=sum((row.redress for row in result), Decimal("0.00")),
        goodwill=sum((row.goodwill for row in result), Decimal("0.00")),
    )
    return result, total


def _nothing_closed():
    return {"bands": [0] * len(BANDS), "upheld": 0, "redress": Decimal("0.00"), "goodwill": Decimal("0.00")}


def _per_product(complaints):
    return dict(complaints.values_list("product").annotate(Count("pk")).order_by())
