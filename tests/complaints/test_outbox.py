import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from complaints import outbox
from complaints.models import EmailStatus, EventKind, OutgoingEmail

REFUSING_BACKEND = "tests.complaints.backends.RefusingBackend"


@pytest.fixture
def email(complaint):
    return complaint.emails.get()


def test_delivery_sends_with_the_stored_message_id(email):
    assert outbox.deliver(email.pk) == EmailStatus.SENT

    (sent,) = mail.outbox
    assert sent.message()["Message-ID"] == email.message_id
    assert sent.subject == email.subject
    assert sent.alternatives[0].content == email.html_body
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 1, "")
    assert email.sent_at is not None


def test_a_sent_email_is_not_sent_again(email):
    outbox.deliver(email.pk)

    assert outbox.deliver(email.pk) is None
    assert len(mail.outbox) == 1


def test_a_failure_schedules_a_retry_with_backoff_and_records_the_error(email, settings):
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    settings.OUTBOX_RETRY_BASE_SECONDS = 60

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert outbox.deliver(email.pk) == EmailStatus.PENDING
        email.refresh_from_db()
        assert email.next_attempt_at == timezone.now() + timedelta(seconds=60)
        assert "ConnectionRefusedError: mail server refused the connection" in email.last_error

        traveller.shift(timedelta(seconds=60))
        assert outbox.deliver(email.pk) == EmailStatus.PENDING
        email.refresh_from_db()
        assert email.attempts == 2
        assert email.next_attempt_at == timezone.now() + timedelta(seconds=120)


def test_a_retry_is_not_attempted_before_it_is_due(email, settings):
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    outbox.deliver(email.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert outbox.deliver(email.pk) is None
    assert mail.outbox == []


def test_an_email_fails_for_good_after_the_last_attempt(email, settings):
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    settings.OUTBOX_MAX_ATTEMPTS = 3

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            status = outbox.deliver(email.pk)
            traveller.shift(timedelta(hours=1))

    assert status == EmailStatus.FAILED
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 3)
    event = email.complaint.events.get(kind=EventKind.EMAIL_FAILED)
    assert event.visible_to_customer is False
    assert email.to in event.summary
    assert outbox.due_ids(OutgoingEmail.objects, now=timezone.now() + timedelta(days=30)) == []


def test_a_claimed_email_is_not_claimed_again_by_a_concurrent_worker(email):
    now = timezone.now()

    assert outbox.claim(OutgoingEmail.objects, email.pk, now) is not None
    assert outbox.claim(OutgoingEmail.objects, email.pk, now) is None
    assert outbox.deliver(email.pk, now) is None
    assert mail.outbox == []


def test_an_email_left_claimed_by_a_dead_worker_is_retried_after_the_lease(email):
    now = timezone.now()
    outbox.claim(OutgoingEmail.objects, email.pk, now)

    assert outbox.deliver(email.pk, now + outbox.CLAIM_LEASE) == EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_a_fresh_web_process_can_enqueue_the_delivery_task():
    # outbox.enqueue looks the task up by name in the web process; if it is not registered
    # there, every email silently waits for the periodic retry.
    code = (
        "import django; django.setup(); from celery import current_app; "
        "print('complaints.tasks.deliver_email' in current_app.tasks)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=django_settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "complaints_portal.settings", "PATH": ""},
    )
    assert result.stdout.strip() == "True"
