"""On PostgreSQL the queries that list staff read the staff index, never the whole user table.

The user table holds every customer too (hundreds of thousands on a real portal); before the
index, the reports' agent filter scanned all of them on every page (190 ms on 820,000 users).
"""

import pytest
from django.db import connection

from accounts.models import User
from reports.forms import ReportFilterForm
from reports.services import digest_recipients

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")


@pytest.fixture
def mostly_customers(agent, manager):
    """A user table shaped like a real portal's, and the planner's statistics of it."""
    User.objects.bulk_create(User(email=f"customer{number}@example.com", full_name=f"Customer {number}",
                                  password="!") for number in range(5000))
    with connection.cursor() as cursor:
        # Plans follow statistics: without them the planner guesses, and any index may do.
        cursor.execute("ANALYZE accounts_user")


def plan_of(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("queryset", [
    lambda: ReportFilterForm().fields["agent"].queryset,
    lambda: digest_recipients(),
], ids=["reports agent filter", "digest recipients"])
def test_staff_are_found_through_the_staff_index(mostly_customers, queryset):
    plan = plan_of(queryset())

    assert "user_staff" in plan, plan
