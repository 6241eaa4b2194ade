"""A real Celery worker with embedded beat sweeps due complaints and delivers their letters.

The worker is another process: time-machine cannot reach it, so the rows are already due.
It cannot see pytest's in-memory SQLite database either, so on SQLite the test database is
copied to a file first; on PostgreSQL the worker uses the test database itself.
"""

import sqlite3
import time

import pytest
from django.db import connection

from ombudsman.models import Letter, LetterStatus
from tests.conftest import file_complaint, redis_test_url
from tests.ombudsman.conftest import file_due_complaint, postgres_test_database_url
from tests.processes import child_environment, flushed_redis, start_worker, stop_process

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REDIS_TEST_URL = redis_test_url(15)
WAIT_SECONDS = 60


@pytest.fixture(params=["filesystem", "redis"])
def broker_url(request):
    if request.param == "filesystem":
        yield "filesystem://"
        return
    yield from flushed_redis(REDIS_TEST_URL)


class WorkerDatabase:
    """The database the worker uses, and a way to read letters back from it."""

    def __init__(self, tmp_path):
        if connection.vendor == "postgresql":
            self.url = postgres_test_database_url()
            self.path = None
        else:
            self.path = tmp_path / "worker.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.path)
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.path}"

    def letters(self):
        """Return (complaint id, status, message id) of every letter."""
        if self.path is None:
            return list(Letter.objects.values_list("complaint_id", "status", "message_id"))
        with sqlite3.connect(self.path, timeout=20) as db:
            return db.execute("SELECT complaint_id, status, message_id FROM ombudsman_letter").fetchall()

    def finished_sweeps(self):
        if self.path is None:
            from ombudsman.models import SweepRun

            return SweepRun.objects.filter(finished_at__isnull=False).count()
        with sqlite3.connect(self.path, timeout=20) as db:
            return db.execute("SELECT count(*) FROM ombudsman_sweeprun WHERE finished_at IS NOT NULL").fetchone()[0]


def test_worker_and_beat_sweep_and_deliver_due_letters(customer, tmp_path, broker_url):
    due = {file_due_complaint(customer).pk for _ in range(3)}
    not_due = file_complaint(customer)
    database = WorkerDatabase(tmp_path)

    process = start_worker(tmp_path, child_environment(DATABASE_URL=database.url, CELERY_BROKER_URL=broker_url))
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            letters = database.letters()
            if len(letters) == len(due) and {status for _, status, _ in letters} == {LetterStatus.SENT}:
                break
            time.sleep(0.5)
    finally:
        stop_process(process)
    log = (tmp_path / "worker.log").read_text()

    letters = database.letters()
    assert {complaint_id for complaint_id, _, _ in letters} == due, log[-3000:]
    assert not_due.pk not in {complaint_id for complaint_id, _, _ in letters}
    assert {status for _, status, _ in letters} == {LetterStatus.SENT}, log[-3000:]
    assert database.finished_sweeps() >= 1
    mailed = "\n".join(path.read_text() for path in (tmp_path / "mail").glob("*.log"))
    for _, _, message_id in letters:
        assert f"Message-ID: {message_id}" in mailed
