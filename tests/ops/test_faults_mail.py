"""A real mail server that refuses: emails and letters are retried, then shown to staff, never lost.

The portal talks SMTP to tests/ops/smtp_server.py. The sweep delivers (the tests' database
transaction never commits, so no task is queued); time-machine moves the clock between tries.
"""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from complaints.models import EmailStatus, EventKind, OutgoingEmail
from ombudsman import services, sweep
from ombudsman.models import Delivery, Letter, LetterKind, LetterStatus
from tests.conftest import file_complaint
from tests.ombudsman.conftest import file_due_complaint
from tests.ops.smtp_server import ACCEPT, REFUSE, TRY_LATER, SMTPServer

pytestmark = pytest.mark.django_db

MAX_ATTEMPTS = 3
BASE_SECONDS = 60


@pytest.fixture
def smtp(settings):
    with SMTPServer(reply=TRY_LATER) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        settings.OUTBOX_MAX_ATTEMPTS = MAX_ATTEMPTS
        settings.OUTBOX_RETRY_BASE_SECONDS = BASE_SECONDS
        yield server


@pytest.fixture
def owed(customer, agent):
    """Customers' and staff's emails, an ADR letter and a deadlock letter, all owed before the sweep runs."""
    file_complaint(customer)
    due = file_due_complaint(customer)
    services.create_adr_letter(complaint=due)
    services.warn_deadline(complaint=due)
    services.declare_deadlock(complaint=file_complaint(customer), actor=agent, reason="Our final position.")


def message_ids():
    emails = set(OutgoingEmail.objects.values_list("message_id", flat=True))
    letters = set(Letter.objects.values_list("message_id", flat=True))
    return emails, letters


def sent_ids(server, *, accepted):
    return [item.message_id for item in server.received if item.accepted == accepted]


def test_a_mail_server_saying_try_later_delays_mail_with_backoff_until_it_accepts(smtp, owed):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sweep.run()
        emails, letters = message_ids()
        assert {kind for kind in Letter.objects.values_list("kind", flat=True)} == {LetterKind.ADR, LetterKind.DEADLOCK}
        assert sorted(sent_ids(smtp, accepted=False)) == sorted(emails | letters)
        for row in [*OutgoingEmail.objects.all(), *Letter.objects.all()]:
            assert row.status == "pending" and row.attempts == 1
            assert row.next_attempt_at == timezone.now() + timedelta(seconds=BASE_SECONDS)
            assert "451" in row.last_error

        clock.shift(timedelta(seconds=BASE_SECONDS - 1))
        sweep.run()
        assert len(smtp.received) == len(emails | letters), "nothing is retried before it is due"

        clock.shift(timedelta(seconds=1))
        sweep.run()
        assert len(smtp.received) == 2 * len(emails | letters)
        for row in [*OutgoingEmail.objects.all(), *Letter.objects.all()]:
            assert row.attempts == 2
            assert row.next_attempt_at == timezone.now() + timedelta(seconds=2 * BASE_SECONDS)

        smtp.reply = ACCEPT
        clock.shift(timedelta(seconds=2 * BASE_SECONDS))
        sweep.run()

    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
    assert set(Letter.objects.values_list("status", flat=True)) == {LetterStatus.SENT}
    # Each message was accepted once, and every try of it was the same message.
    assert sorted(sent_ids(smtp, accepted=True)) == sorted(emails | letters)
    assert sorted(sent_ids(smtp, accepted=False)) == sorted([*emails, *letters] * 2)
    assert not OutgoingEmail.objects.exclude(last_error="").exists()


def test_a_mail_server_refusing_for_good_leaves_every_message_failed_and_shown_to_staff(
    smtp, owed, client, agent, manager
):
    smtp.reply = REFUSE
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(MAX_ATTEMPTS):
            sweep.run()
            clock.shift(timedelta(days=1))
        sweep.run()
    emails, letters = message_ids()

    # Nothing lost: every email and letter was tried exactly OUTBOX_MAX_ATTEMPTS times, then kept.
    assert sorted(sent_ids(smtp, accepted=False)) == sorted([*emails, *letters] * MAX_ATTEMPTS)
    assert smtp.accepted() == []
    for email in OutgoingEmail.objects.all():
        assert (email.status, email.attempts) == (EmailStatus.FAILED, MAX_ATTEMPTS)
        assert "554" in email.last_error
        if email.complaint_id:
            assert email.complaint.events.filter(kind=EventKind.EMAIL_FAILED, visible_to_customer=False).exists()
    for letter in Letter.objects.all():
        assert (letter.status, letter.delivery, letter.attempts) == (
            LetterStatus.PRINT_QUEUED, Delivery.POST, MAX_ATTEMPTS
        )

    client.force_login(agent)
    failed_list = client.get("/admin/complaints/outgoingemail/", {"status__exact": "failed"})
    assert failed_list.status_code == 200
    for email in OutgoingEmail.objects.select_related("complaint"):
        assert email.subject in failed_list.text
        if email.complaint_id:
            page = client.get(f"/admin/complaints/complaint/{email.complaint_id}/change/")
            assert f"{email.get_kind_display()} email to {email.to} failed" in page.text
    print_queue = client.get("/admin/complaints/complaint/print-queue/")
    assert print_queue.status_code == 200
    for letter in Letter.objects.select_related("complaint"):
        assert letter.complaint.tracking_number in print_queue.text

    client.force_login(manager)
    headline = client.get("/reports/headline.csv")
    figures = {row[0]: row[1] for row in csv.reader(io.StringIO(headline.content.decode())) if len(row) > 1}
    assert figures["Letters that failed"] == str(len(letters))
