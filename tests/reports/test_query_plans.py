"""On PostgreSQL every report query can find its complaints through an index.

Each query selects its rows by one indexed column (received, closed, deadlocked, open), and
the covering indexes carry the columns the figures count. Whether PostgreSQL uses an index or
reads the table is its choice by cost (for a long period a scan can be cheaper); these tests
check that no query needs a table scan, and that the page reads each set of complaints once.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Complaint
from reports import report
from tests.reports.conftest import NOW

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")


def plan_of(sql):
    with connection.cursor() as cursor:
        # Make a table scan the planner's last resort: a query with no usable index still
        # gets one, and the assertion below catches it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        # The captured SQL has its parameters inlined already.
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_report_indexes_cover_the_columns_the_figures_count(db):
    indexes = {index.name: index for index in Complaint._meta.indexes}
    assert set(indexes["complaint_closed_at"].include) >= {
        "product", "category", "channel", "assigned_to", "status", "received_at", "adr_opens_at", "upheld",
        "root_cause", "credit_amount", "refund_amount", "received_uk_date", "closed_uk_date",
    }
    assert set(indexes["complaint_received_at"].include) >= {"product", "category", "channel", "assigned_to",
                                                            "received_uk_date"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'complaint_closed_at'")
        [definition] = cursor.fetchone()
    assert " INCLUDE " in definition and "WHERE (closed_at IS NOT NULL)" in definition


@pytest.mark.parametrize("filters", [{}, {"product": "gotomeeting"}])
def test_no_report_query_scans_the_complaints_table(scope, filters):
    scope = type(scope)(period=scope.period, **filters)
    with CaptureQueriesContext(connection) as captured:
        report.build_all(scope, NOW)
    # Letters and referrals are few; the queries that count complaints are the ones that matter.
    complaint_queries = [query["sql"] for query in captured.captured_queries
                         if 'FROM "complaints_complaint"' in query["sql"]]
    # Received, closed (root causes included), days to resolution, open by age, outstanding
    # (two), deadlocks, the forecast: each set of complaints read once for the whole page.
    assert len(complaint_queries) == 8
    for sql in complaint_queries:
        plan = plan_of(sql)
        assert "Seq Scan on complaints_complaint" not in plan, f"{sql}\n{plan}"
