"""Requests racing with one code: only one of them passes the second factor.

These need PostgreSQL: SQLite serialises every writer, so there is no race to lose.
"""

import threading

import pytest
from django.conf import settings
from django.db import connections

from accounts.models import Authenticator
from tests.conftest import staff_code

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so there is no concurrency to test",
    ),
]


def test_one_code_sent_by_four_requests_at_once_lets_one_in(agent):
    code, results, errors, start = staff_code(), [], [], threading.Barrier(4)

    def send_code():
        try:
            # Each request reads the authenticator before any of them has used the code.
            authenticator = Authenticator.objects.get(user=agent)
            start.wait()
            results.append(authenticator.accept(code))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send_code) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [False, False, False, True]
