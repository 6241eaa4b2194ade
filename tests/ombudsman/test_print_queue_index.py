"""On PostgreSQL the letters waiting to print are found through their own index.

Every admin page's banner counts them and the desk's print queue lists them; without the
index both read every letter ever written (one a complaint, in time).
"""

import pytest
from django.db import connection, transaction

from ombudsman.templatetags.ombudsman import letters_waiting_to_print

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")


def test_letters_waiting_to_print_are_read_through_their_index(db):
    queryset = letters_waiting_to_print()["letter"].order_by("created_at")
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # An empty test table is cheapest to scan; the question is whether the index serves.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "letter_print_queue" in plan
