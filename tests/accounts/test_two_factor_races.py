"""Requests racing with one code: only one of them passes the second factor.

These need PostgreSQL: SQLite serialises every writer, so there is no race to lose.
"""


import pytest
from django.conf import settings

from accounts.models import Authenticator
from tests.conftest import staff_code
from tests.threads import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so there is no concurrency to test",
    ),
]


def test_one_code_sent_by_four_requests_at_once_lets_one_in(agent):
    code = staff_code()

    def send_code(wait):
        # Each request reads the authenticator before any of them has used the code.
        authenticator = Authenticator.objects.get(user=agent)
        wait()
        return authenticator.accept(code)

    results, errors = at_once(4, send_code)

    assert errors == []
    assert sorted(results) == [False, False, False, True]
