"""On PostgreSQL the queries that list staff read the staff index, never the whole user table.

The user table holds every customer too (hundreds of thousands on a real portal); before the
index, the reports' agent filter scanned all of them on every page (190 ms on 820,000 users).
"""

import pytest
from django.db import connection

from reports.forms import ReportFilterForm
from reports.services import digest_recipients

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")


def plan_of(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Leave the planner no cheaper way than an index, as on a large table.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("queryset", [
    lambda: ReportFilterForm().fields["agent"].queryset,
    lambda: digest_recipients(),
], ids=["reports agent filter", "digest recipients"])
def test_staff_are_found_through_the_staff_index(db, queryset):
    plan = plan_of(queryset())

    assert "user_staff" in plan, plan
