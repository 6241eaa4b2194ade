"""Several sweeps at once, and a sweep killed mid-run, leave exactly one letter per complaint.

These need PostgreSQL: SQLite serialises every writer (the portal opens its transactions
IMMEDIATE), so it cannot show row locks being skipped or claims racing.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from complaints.outbox import CLAIM_LEASE
from ombudsman import sweep
from ombudsman.models import Letter, LetterKind, LetterStatus
from tests.ombudsman.conftest import file_due_complaint, postgres_test_database_url
from tests.threads import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so there is no concurrency to test",
    ),
]


def one_adr_letter_each(complaints):
    counts = {}
    for complaint_id in Letter.objects.filter(kind=LetterKind.ADR).values_list("complaint_id", flat=True):
        counts[complaint_id] = counts.get(complaint_id, 0) + 1
    return counts == {complaint.pk: 1 for complaint in complaints}


def test_concurrent_sweeps_write_and_send_exactly_one_letter_each(customer, settings):
    settings.CLOCK_SWEEP_BATCH = 25
    complaints = [file_due_complaint(customer) for _ in range(200)]
    mail.outbox.clear()
    def sweep_in_a_thread(wait):
        wait()
        sweep.run()

    _results, errors = at_once(4, sweep_in_a_thread)

    assert errors == []
    assert one_adr_letter_each(complaints)
    # Letters are delivered by tasks on commit (eager here) and by the other sweeps' retries:
    # each letter is emailed once, with its own Message-ID.
    sweep.run()
    assert set(Letter.objects.values_list("status", flat=True)) == {LetterStatus.SENT}
    sent = [message.extra_headers["Message-ID"] for message in mail.outbox if message.attachments]
    assert sorted(sent) == sorted(Letter.objects.values_list("message_id", flat=True))


def test_a_sweep_killed_mid_run_loses_no_letter_when_rerun(customer, tmp_path):
    complaints = [file_due_complaint(customer) for _ in range(60)]
    env = {
        **os.environ, "DATABASE_URL": postgres_test_database_url(), "VAR_DIR": str(tmp_path), "CLOCK_SWEEP_BATCH": "5",
        # Deliver inline, so the process is busy rendering PDFs when it is killed.
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "sweep_clocks"], cwd=settings.BASE_DIR, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while Letter.objects.count() < 10 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
    written_before = Letter.objects.count()
    assert 10 <= written_before < len(complaints), "the sweep should have been killed part-way"

    mail.outbox.clear()
    with time_machine.travel(timezone.now() + CLAIM_LEASE + timedelta(seconds=1)):
        sweep.run()
        sweep.run()
    assert one_adr_letter_each(complaints)
    assert set(Letter.objects.values_list("status", flat=True)) == {LetterStatus.SENT}
    # Every letter went out from one process or the other, each with its own Message-ID.
    sent_before = {
        line.split(":", 1)[1].strip()
        for path in (tmp_path / "mail").glob("*.log")
        for line in path.read_text().splitlines() if line.startswith("Message-ID:")
    }
    sent_after = {message.extra_headers["Message-ID"] for message in mail.outbox if message.attachments}
    assert set(Letter.objects.values_list("message_id", flat=True)) <= sent_before | sent_after
