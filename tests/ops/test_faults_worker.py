"""A worker killed while it sends a letter: the letter exists once and is resent as the same message.

A real Celery worker (filesystem broker, embedded beat) writes a due complaint's ADR letter
and emails it to an SMTP server that reads the message and never answers. The worker is
killed with SIGKILL mid-send; the sweep, run by ``manage.py sweep_clocks`` as another
process, leaves the letter alone while the dead worker's lease lasts and sends it after.
"""

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from complaints.outbox import CLAIM_LEASE
from ombudsman.models import LetterStatus
from tests.ombudsman.conftest import file_due_complaint
from tests.ops.smtp_server import ACCEPT, STALL, SMTPServer
from tests.ops.test_faults_broker import Database
from tests.processes import child_environment, start_worker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WAIT_SECONDS = 60
LETTERS_SQL = "SELECT complaint_id, status, attempts, message_id FROM ombudsman_letter"


def portal_environment(tmp_path, database, smtp):
    return child_environment(DATABASE_URL=database.url, VAR_DIR=str(tmp_path),
                             EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", EMAIL_TIMEOUT="60",
                             CLOCK_SWEEP_MINUTES="0.05")


def sweep_clocks(env, now):
    return subprocess.run(
        [sys.executable, "manage.py", "sweep_clocks", "--now", now.isoformat()],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=True,
    )


def letters(database):
    return [tuple(row) for row in database.rows(LETTERS_SQL)]


def test_a_letter_whose_worker_is_killed_mid_send_is_written_once_and_resent_as_the_same_message(
    customer, tmp_path
):
    complaint = file_due_complaint(customer)
    database = Database(tmp_path)
    with SMTPServer(reply=STALL) as smtp:
        env = portal_environment(tmp_path, database, smtp)
        worker = start_worker(tmp_path, env)
        try:
            reached = smtp.wait_for(1, timeout=WAIT_SECONDS)
            killed_at = timezone.now()
            os.killpg(worker.pid, signal.SIGKILL)
        finally:
            worker.kill()
            worker.wait(timeout=15)
        log = (tmp_path / "worker.log").read_text()
        assert reached, log[-3000:]
        [(complaint_id, status, attempts, message_id)] = letters(database)
        assert (complaint_id, status, attempts) == (complaint.pk, LetterStatus.PENDING, 1)
        assert smtp.received[0].message_id == message_id

        smtp.reply = ACCEPT
        # While the dead worker's lease lasts, a sweep leaves the letter alone ...
        sweep_clocks(env, killed_at + CLAIM_LEASE - timedelta(seconds=30))
        assert letters(database) == [(complaint.pk, LetterStatus.PENDING, 1, message_id)]
        assert len(smtp.received) == 1
        # ... and once it has ended, the sweep sends it.
        sweep_clocks(env, killed_at + CLAIM_LEASE + timedelta(seconds=1))

    assert letters(database) == [(complaint.pk, LetterStatus.SENT, 2, message_id)]
    assert [item.message_id for item in smtp.received] == [message_id, message_id]
    assert [item.accepted for item in smtp.received] == [False, True]
    assert smtp.received[1].message.get_content_type() == "multipart/mixed"
