"""Faults inside the clock sweep: a row that raises, a mail server that hangs.

No mocks: a database trigger refuses one row, as a bad row or a broken constraint would in
production, and a real socket that never answers plays the hanging mail server. Each runs
on SQLite and on PostgreSQL (CI runs both).
"""

import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from complaints.models import Complaint, EmailKind, EmailStatus, OutgoingEmail
from ombudsman import sweep
from ombudsman.models import Letter, LetterKind, LetterStatus, SweepFailure, SweepStep
from tests.conftest import file_complaint
from tests.ombudsman.conftest import file_due_complaint
from tests.ops.smtp_server import ACCEPT, SilentServer, SMTPServer

pytestmark = pytest.mark.django_db


@contextmanager
def refused_inserts(table, condition):
    """Have the database refuse inserts into ``table`` of rows matching ``condition`` (SQL on NEW)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS "
                           "$$ BEGIN RAISE EXCEPTION 'refused by the fault trigger'; END $$")
            cursor.execute(f"CREATE TRIGGER refuse_row BEFORE INSERT ON {table} FOR EACH ROW "
                           f"WHEN ({condition}) EXECUTE FUNCTION refuse_row()")
        else:
            cursor.execute(f"CREATE TRIGGER refuse_row BEFORE INSERT ON {table} FOR EACH ROW "
                           f"WHEN {condition} BEGIN SELECT RAISE(ABORT, 'refused by the fault trigger'); END")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER refuse_row{' ON ' + table if connection.vendor == 'postgresql' else ''}")
            if connection.vendor == "postgresql":
                cursor.execute("DROP FUNCTION refuse_row()")


def adr_letters_per_complaint():
    counts = {}
    for complaint_id in Letter.objects.filter(kind=LetterKind.ADR).values_list("complaint_id", flat=True):
        counts[complaint_id] = counts.get(complaint_id, 0) + 1
    return counts


def test_one_complaint_whose_letter_fails_stops_no_other_letter(customer, client, settings):
    # Writing is what this test is about: the letters stay pending for their delivery tasks
    # instead of the sweep rendering 500 PDFs to email them.
    settings.CLOCK_SWEEP_DELIVERY_SECONDS = 0
    complaints = [file_due_complaint(customer) for _ in range(500)]
    bad = complaints[137]
    now = timezone.now()

    with refused_inserts("ombudsman_letter", f"NEW.complaint_id = {bad.pk}"):
        record = sweep.run(now=now)
        assert record.counts["adr_letters"] == 499
        assert record.counts["failures"] == 1
        assert record.finished_at is not None
        assert len(record.errors) == 1
        assert f"ADR letter {bad.pk}" in record.errors[0] and "refused by the fault trigger" in record.errors[0]
        assert set(adr_letters_per_complaint()) == {c.pk for c in complaints} - {bad.pk}

        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["clock"]["failing"] == 1
        assert "keep failing" in health.json()["clock"]["problems"][0]

        # Backing off, not a tight loop: the next sweep leaves the failing complaint alone.
        failure = SweepFailure.objects.get()
        assert (failure.step, failure.object_id, failure.complaint_id) == (SweepStep.ADR_LETTER, bad.pk, bad.pk)
        assert failure.retry_at > now
        assert sweep.run(now=now + timedelta(minutes=1)).counts["failures"] == 0

    later = failure.retry_at + timedelta(seconds=1)
    record = sweep.run(now=later)
    assert (record.counts["adr_letters"], record.counts["failures"], record.errors) == (1, 0, [])
    assert adr_letters_per_complaint() == {c.pk: 1 for c in complaints}
    assert not SweepFailure.objects.exists()
    assert client.get("/healthz").json()["status"] == "ok"
    assert sweep.run(now=later + timedelta(hours=1)).counts["adr_letters"] == 0


def test_a_row_that_keeps_failing_backs_off_further_each_time(customer):
    bad = file_due_complaint(customer)
    now = timezone.now()
    waits = []
    with refused_inserts("ombudsman_letter", f"NEW.complaint_id = {bad.pk}"):
        for _ in range(6):
            sweep.run(now=now)
            failure = SweepFailure.objects.get()
            waits.append(failure.retry_at - now)
            now = failure.retry_at
    minutes = timedelta(minutes=5)
    assert waits == [minutes, 2 * minutes, 4 * minutes, 8 * minutes, 16 * minutes, 32 * minutes]
    assert failure.attempts == 6


def test_a_failure_is_forgotten_once_its_row_is_no_longer_due(customer, agent, client):
    from complaints import services

    bad = file_due_complaint(customer)
    with refused_inserts("ombudsman_letter", f"NEW.complaint_id = {bad.pk}"):
        sweep.run()
    assert client.get("/healthz").json()["status"] == "degraded"

    services.withdraw_complaint(complaint=Complaint.objects.get(pk=bad.pk), customer=customer, reason="Sorted.")
    sweep.run()
    assert not SweepFailure.objects.exists()
    assert client.get("/healthz").json()["status"] == "ok"


def test_managers_see_failing_rows_in_the_admin(customer, manager, client):
    bad = file_due_complaint(customer)
    with refused_inserts("ombudsman_letter", f"NEW.complaint_id = {bad.pk}"):
        sweep.run()
    client.force_login(manager)
    banner = client.get("/admin/").text
    assert "1 item keeps failing in the clock sweep" in banner
    assert "/admin/ombudsman/sweepfailure/" in banner
    listing = client.get("/admin/ombudsman/sweepfailure/")
    assert listing.status_code == 200
    assert bad.tracking_number in listing.text
    assert "refused by the fault trigger" in listing.text


def test_one_failing_deadline_warning_stops_no_other_warning_or_letter(customer, agent, manager):
    # ADR opens in six days for these: inside the 14-day warning time.
    warned = [file_complaint(customer, received_at=timezone.now() - timedelta(days=50)) for _ in range(3)]
    Complaint.objects.filter(pk__in=[c.pk for c in warned]).update(assigned_to=agent)
    due = [file_due_complaint(customer) for _ in range(2)]
    bad = warned[1]
    now = timezone.now()

    def warnings(complaint):
        return OutgoingEmail.objects.filter(complaint=complaint, kind=EmailKind.DEADLINE_WARNING).count()

    with refused_inserts("complaints_outgoingemail",
                         f"NEW.complaint_id = {bad.pk} AND NEW.kind = '{EmailKind.DEADLINE_WARNING}'"):
        record = sweep.run(now=now)
    # The due complaints' staff are warned too (they were never warned): 2 + 2.
    assert (record.counts["warnings"], record.counts["adr_letters"], record.counts["failures"]) == (4, 2, 1)
    assert [warnings(c) for c in warned] == [2, 0, 2]  # the agent and the manager, once each
    assert set(adr_letters_per_complaint()) == {c.pk for c in due}
    assert not Complaint.objects.get(pk=bad.pk).deadline_warning_sent_at

    record = sweep.run(now=SweepFailure.objects.get().retry_at)
    assert (record.counts["warnings"], record.counts["failures"]) == (1, 0)
    assert [warnings(c) for c in warned] == [2, 2, 2]
    assert sweep.run(now=now + timedelta(hours=5)).counts["warnings"] == 0
    assert [warnings(c) for c in warned] == [2, 2, 2]


@pytest.fixture
def portal_mail(settings):
    """Send through the portal's SMTP backend: 1 s to connect and greet, 30 s to send."""
    settings.EMAIL_BACKEND = "complaints_portal.smtp.EmailBackend"
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_CONNECT_TIMEOUT = 1
    settings.EMAIL_TIMEOUT = 30
    return settings


def test_a_hanging_mail_server_holds_up_no_letter_and_mail_goes_once_it_answers(customer, portal_mail):
    portal_mail.CLOCK_SWEEP_DELIVERY_SECONDS = 3
    for _ in range(8):
        file_complaint(customer)  # each owes an acknowledgement email, still pending
    due = [file_due_complaint(customer) for _ in range(3)]
    emails = set(OutgoingEmail.objects.values_list("message_id", flat=True))

    with time_machine.travel(timezone.now(), tick=True) as clock, SilentServer() as silent:
        portal_mail.EMAIL_HOST, portal_mail.EMAIL_PORT = "127.0.0.1", silent.port
        started = time.monotonic()
        record = sweep.run()
        took = time.monotonic() - started
        assert record.counts["adr_letters"] == 3
        assert set(adr_letters_per_complaint()) == {c.pk for c in due}
        # One second a message at most, and the sweep stops retrying when its budget is spent.
        assert took < 10, f"the sweep took {took:.1f} s"
        assert record.counts["letters_retried"] + record.counts["emails_retried"] < 11
        assert silent.connections, "the sweep did try the server"
        assert not OutgoingEmail.objects.filter(status=EmailStatus.SENT).exists()

        with SMTPServer(reply=ACCEPT) as server:
            portal_mail.EMAIL_HOST, portal_mail.EMAIL_PORT = "127.0.0.1", server.port
            portal_mail.CLOCK_SWEEP_DELIVERY_SECONDS = 60
            for _ in range(3):
                clock.shift(timedelta(hours=1))
                sweep.run()

    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
    assert set(Letter.objects.values_list("status", flat=True)) == {LetterStatus.SENT}
    accepted = [item.message_id for item in server.accepted()]
    letters = set(Letter.objects.values_list("message_id", flat=True))
    assert sorted(accepted) == sorted(emails | letters), "each email and letter went once"


def test_a_slow_server_still_takes_a_letter_with_its_pdf(customer, portal_mail):
    portal_mail.EMAIL_CONNECT_TIMEOUT = 0.5
    due = file_due_complaint(customer)
    with SMTPServer(reply=ACCEPT, delay=1.5) as server:
        portal_mail.EMAIL_HOST, portal_mail.EMAIL_PORT = "127.0.0.1", server.port
        sweep.run()
        sweep.run(now=timezone.now() + timedelta(hours=1))
    letter = Letter.objects.get(complaint=due)
    assert letter.status == LetterStatus.SENT
    assert letter.message_id in [item.message_id for item in server.accepted()]
