"""Database expressions the figures are built from, for SQLite and PostgreSQL alike."""

import math
from contextlib import contextmanager

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Func, IntegerField


@contextmanager
def room_to_group(using="default"):
    """Run a report's queries with more working memory, on PostgreSQL.

    PostgreSQL cannot tell how few groups the reports' computed keys (week, band, days) make
    and plans for hundreds of thousands: within its default 4 MB it then sorts every row on
    disk instead of hashing a few hundred groups in memory, twice as slow with a million
    complaints. SET LOCAL keeps the setting to this transaction.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = %s", [settings.REPORTS_WORK_MEM])
        yield


class DaysBetween(Func):
    """Whole days from the date ``earlier`` to the date ``later`` (two date columns)."""

    output_field = IntegerField()
    arg_joiner = " - "
    template = "(%(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite has no date type: the dates are ISO strings, julianday() makes them numbers.
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(", **extra_context,
        )


def percentile(counts, fraction):
    """Return the continuous percentile of values given as ``{value: how many}``, by the
    arithmetic of PostgreSQL's ``percentile_cont``; None when there are none.

    The database groups the values (whole days: a few hundred at most), so an exact
    percentile never needs the rows themselves, on any database.
    """
    total = sum(counts.values())
    if not total:
        return None
    position = fraction * (total - 1)
    below = math.floor(position)
    low = _value_at(counts, below)
    if position == below:
        return float(low)
    high = _value_at(counts, below + 1)
    return low + (high - low) * (position - below)


def _value_at(counts, index):
    """Return the value at ``index`` (from 0) of the values in ascending order."""
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if index < seen:
            return value
    raise IndexError(index)
