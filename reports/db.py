"""Database expressions the figures are built from, for SQLite and PostgreSQL alike."""

import math

from django.db import connections
from django.db.models import Aggregate, FloatField, Func, IntegerField
from django.db.models.functions import TruncDate

from complaints.models import UK


def uk_date(field):
    """The UK calendar date of a moment, computed by the database."""
    return TruncDate(field, tzinfo=UK)


class DaysBetween(Func):
    """Whole UK calendar days from the date of ``earlier`` to the date of ``later``."""

    output_field = IntegerField()
    arg_joiner = " - "
    template = "(%(expressions)s)"

    def __init__(self, later, earlier):
        super().__init__(uk_date(later), uk_date(earlier))

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite has no date type: the dates are ISO strings, julianday() makes them numbers.
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(", **extra_context,
        )


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont``: the continuous percentile of the ordered values."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction, **extra):
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def percentiles(queryset, expression, fractions):
    """Return the continuous percentiles (as ``percentile_cont`` defines them) of an
    expression over a queryset, rounded to 0.1; None for each when there are no rows.

    PostgreSQL computes them in one query. Elsewhere a count, then for each fraction the one
    or two values either side of its position, fetched with ORDER BY and OFFSET, never
    loading the rows.
    """
    if connections[queryset.db].vendor == "postgresql":
        found = queryset.aggregate(**{f"p{i}": PercentileCont(expression, f) for i, f in enumerate(fractions)})
        results = [found[f"p{i}"] for i in range(len(fractions))]
    else:
        ordered = queryset.annotate(_value=expression).order_by("_value").values_list("_value", flat=True)
        count = queryset.count()
        results = [_interpolate(ordered, count, fraction) for fraction in fractions]
    return [None if value is None else round(value, 1) for value in results]


def _interpolate(ordered, count, fraction):
    if not count:
        return None
    # The same arithmetic as PostgreSQL's percentile_cont, so both give the same figure.
    position = fraction * (count - 1)
    first_row = math.floor(position)
    values = list(ordered[first_row:first_row + 2])
    if len(values) == 1 or position == first_row:
        return float(values[0])
    low, high = float(values[0]), float(values[1])
    return low + (high - low) * (position - first_row)
