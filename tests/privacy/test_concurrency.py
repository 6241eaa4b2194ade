"""Retention runs at once share the work: each complaint is anonymised exactly once.

These need PostgreSQL: SQLite serialises every writer, so it cannot show row locks being
skipped or claims racing.
"""

import threading

import pytest
from django.conf import settings
from django.db import connections, transaction

from complaints.models import Complaint, Event, EventKind
from privacy import retention
from privacy.models import Erasure
from tests.privacy.conftest import story, uk
from tests.threads import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so there is no concurrency to test",
    ),
]
NOW = uk(2025, 1, 1)


def test_concurrent_runs_anonymise_each_complaint_once(settings, customer, agent):
    settings.RETENTION_BATCH = 3
    complaints = [story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 10)) for _ in range(12)]
    def run(wait):
        wait()
        return retention.anonymise_expired(now=NOW)

    results, errors = at_once(3, run)

    assert errors == [] and all(result["errors"] == [] for result in results)
    assert sum(result["complaints"] for result in results) == len(complaints)
    assert Erasure.objects.count() == len(complaints)
    assert Event.objects.filter(kind=EventKind.ERASED).count() == len(complaints)


def test_a_complaint_locked_elsewhere_is_skipped_not_waited_for(customer, agent):
    locked = story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 10))
    free = story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 10))
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                Complaint.objects.select_for_update().get(pk=locked.pk)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        assert retention.anonymise_expired(now=NOW)["complaints"] == 1
        assert set(Erasure.objects.values_list("complaint", flat=True)) == {free.pk}
    finally:
        release.set()
        holder.join()
    assert retention.anonymise_expired(now=NOW)["complaints"] == 1
