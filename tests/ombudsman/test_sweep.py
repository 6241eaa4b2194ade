"""The sweep: warnings, ADR letters, who gets none, retries, and recovery from a crash."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clock import ClockState
from complaints import outbox
from complaints.models import (
    CLOSED_STATUSES,
    Category,
    Complaint,
    EmailKind,
    EmailStatus,
    Event,
    EventKind,
    OutgoingEmail,
    Product,
    Status,
)
from complaints.outbox import CLAIM_LEASE
from ombudsman import services, sweep
from ombudsman.models import Delivery, Letter, LetterKind, LetterStatus, Scheme, SweepRun
from tests.conftest import file_complaint
from tests.ombudsman.conftest import CrashingBackend, file_due_complaint, uk

SECOND = timedelta(seconds=1)


@pytest.fixture
def assigned_complaint(customer, agent):
    with time_machine.travel(uk(2026, 3, 2, 9), tick=False):
        complaint = file_complaint(customer)
    Complaint.objects.filter(pk=complaint.pk).update(assigned_to=agent)
    complaint.refresh_from_db()
    return complaint


def warnings_for(complaint):
    return OutgoingEmail.objects.filter(complaint=complaint, kind=EmailKind.DEADLINE_WARNING)


def test_agent_and_managers_are_warned_once_fourteen_days_before_the_deadline(assigned_complaint, agent, manager):
    warn_at = uk(2026, 4, 27) - timedelta(days=14)
    with time_machine.travel(warn_at - SECOND, tick=False):
        sweep.run()
    assert not warnings_for(assigned_complaint).exists()

    with time_machine.travel(warn_at, tick=False):
        sweep.run()
        sweep.run()
    assert sorted(warnings_for(assigned_complaint).values_list("to", flat=True)) == [agent.email, manager.email]
    email = warnings_for(assigned_complaint).get(to=agent.email)
    assert assigned_complaint.tracking_number in email.subject
    assert "27 April 2026" in email.text_body
    event = Event.objects.get(complaint=assigned_complaint, kind=EventKind.DEADLINE_WARNING)
    assert not event.visible_to_customer
    assigned_complaint.refresh_from_db()
    assert assigned_complaint.deadline_warning_sent_at == warn_at


def test_warning_time_is_a_setting(assigned_complaint, manager, settings):
    settings.ADR_WARNING_DAYS = 3
    with time_machine.travel(uk(2026, 4, 24) - SECOND, tick=False):
        sweep.run()
    assert not warnings_for(assigned_complaint).exists()
    with time_machine.travel(uk(2026, 4, 24), tick=False):
        sweep.run()
    assert warnings_for(assigned_complaint).count() == 2


def test_customers_without_adr_rights_get_no_letter_but_staff_still_see_the_deadline(large_business_customer, manager):
    complaint = file_due_complaint(large_business_customer)
    record = sweep.run()
    assert record.counts["adr_letters"] == 0
    assert not Letter.objects.exists()
    assert complaint.clock_state() == ClockState.PAST_PERIOD
    assert warnings_for(complaint).exists()


def test_no_waiting_period_letter_after_a_deadlock_letter(customer, agent):
    complaint = file_due_complaint(customer)
    services.declare_deadlock(complaint=complaint, actor=agent, reason="We have offered all we can.")
    sweep.run()
    assert list(Letter.objects.values_list("kind", flat=True)) == [LetterKind.DEADLOCK]
    complaint.refresh_from_db()
    assert not complaint.adr_letter_pending


def test_deadlock_after_the_waiting_period_letter_still_gets_its_letter(customer, agent):
    complaint = file_due_complaint(customer)
    sweep.run()
    services.declare_deadlock(complaint=complaint, actor=agent, reason="Our final position stands.")
    assert sorted(Letter.objects.values_list("kind", flat=True)) == [LetterKind.ADR, LetterKind.DEADLOCK]
    assert Event.objects.filter(complaint=complaint, kind=EventKind.DEADLOCK).exists()


def test_letters_are_delivered_when_the_batch_commits(customer, django_capture_on_commit_callbacks):
    file_due_complaint(customer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep.run()
    letter = Letter.objects.get()
    assert letter.status == LetterStatus.SENT
    assert [message.extra_headers["Message-ID"] for message in mail.outbox if message.attachments] == [
        letter.message_id
    ]


def test_sweep_retries_letters_whose_task_was_lost(customer):
    file_due_complaint(customer)
    sweep.run()  # the on-commit task never ran: the broker lost it
    assert Letter.objects.get().status == LetterStatus.PENDING
    record = sweep.run()
    assert record.counts["letters_retried"] == 1
    assert Letter.objects.get().status == LetterStatus.SENT


def test_sweep_retries_due_pending_emails_only(customer, other_customer):
    due = file_complaint(customer).emails.get()  # its acknowledgement's task never ran
    later = file_complaint(other_customer).emails.get()
    OutgoingEmail.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=10))

    record = sweep.run()

    assert record.counts["emails_retried"] == 1
    assert [message.to for message in mail.outbox] == [[due.to]]
    assert OutgoingEmail.objects.get(pk=due.pk).status == EmailStatus.SENT
    assert OutgoingEmail.objects.get(pk=later.pk).status == EmailStatus.PENDING


def test_a_sweep_that_dies_mid_delivery_loses_no_letter_and_writes_no_second(customer, settings):
    complaints = [file_due_complaint(customer) for _ in range(6)]
    sweep.run()
    assert Letter.objects.count() == 6
    settings.EMAIL_BACKEND = "tests.ombudsman.conftest.CrashingBackend"
    CrashingBackend.sent = 0
    mail.outbox.clear()
    with pytest.raises(SystemExit):
        sweep.run()
    assert Letter.objects.filter(status=LetterStatus.SENT).count() == 3
    assert SweepRun.objects.filter(finished_at__isnull=True).count() == 1

    # The letter being sent when the process died is leased; once the lease ends, a new
    # sweep sends it and the others. Nothing is written twice.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(CLAIM_LEASE + SECOND):
        sweep.run()
    assert Letter.objects.count() == 6
    assert set(Letter.objects.values_list("complaint_id", flat=True)) == {c.pk for c in complaints}
    assert set(Letter.objects.values_list("status", flat=True)) == {LetterStatus.SENT}
    sent_ids = [message.extra_headers["Message-ID"] for message in mail.outbox if message.attachments]
    assert sorted(sent_ids) == sorted(Letter.objects.values_list("message_id", flat=True))


def test_a_refused_letter_is_reported_and_written_once_the_scheme_is_fixed(customer):
    complaint = file_due_complaint(customer)
    Scheme.objects.filter(is_provider_scheme=True).update(phone="")
    record = sweep.run()
    assert record.counts["adr_letters"] == 0
    assert "phone" in record.errors[0]
    complaint.refresh_from_db()
    assert complaint.adr_letter_pending

    Scheme.objects.filter(is_provider_scheme=True).update(phone="0330 440 1614")
    record = sweep.run()
    assert record.counts["adr_letters"] == 1
    assert "0330 440 1614" in Letter.objects.get().text


def test_without_a_provider_scheme_the_sweep_says_so_and_writes_nothing(customer):
    file_due_complaint(customer)
    Scheme.objects.update(is_provider_scheme=False)
    record = sweep.run()
    assert not Letter.objects.exists()
    assert "No active ADR scheme" in record.errors[0]


def test_sweep_works_in_batches(customer, settings):
    settings.CLOCK_SWEEP_BATCH = 2
    for _ in range(5):
        file_due_complaint(customer)
    record = sweep.run()
    assert record.counts["adr_letters"] == 5
    assert record.finished_at is not None


def test_old_sweep_records_are_pruned(customer):
    with time_machine.travel(timezone.now() - timedelta(days=31), tick=False):
        sweep.run()
    sweep.run()
    assert SweepRun.objects.count() == 1


SWEEP_INDEXES = {
    "complaint_adr_letter_due": Complaint, "complaint_warning_due": Complaint,
    "outbox_pending_due": OutgoingEmail, "letter_pending_due": Letter,
}


def add_settled_complaints(customer, count):
    """Bulk-add complaints whose warning, letter and emails are all done: nothing for the sweep."""
    now = timezone.now()
    statuses = [Status.RESOLVED, Status.INVESTIGATING, Status.DEADLOCK, Status.WITHDRAWN, Status.ACKNOWLEDGED]
    complaints = Complaint.objects.bulk_create(
        Complaint(
            tracking_number=f"ZZ{index:011d}", customer=customer, product=Product.GOTOMEETING,
            category=Category.SERVICE_FAULT, description="-", desired_outcome="-",
            status=statuses[index % len(statuses)], received_at=now - timedelta(days=60 + index % 300),
            waiting_period_days=56, adr_opens_at=now - timedelta(days=4 + index % 300),
            adr_letter_pending=False, deadline_warning_sent_at=now - timedelta(days=18 + index % 300),
            closed_at=now - timedelta(days=1) if statuses[index % len(statuses)] in CLOSED_STATUSES else None,
        )
        for index in range(count)
    )
    scheme = Scheme.objects.provider_scheme()
    Letter.objects.bulk_create(
        Letter(complaint=complaint, kind=LetterKind.ADR, letter_date=now.date(), refer_by=now.date(),
               scheme=scheme, scheme_details={}, text="-", html="-", delivery=Delivery.EMAIL,
               status=LetterStatus.SENT, sent_at=now)
        for complaint in complaints
    )
    OutgoingEmail.objects.bulk_create(
        OutgoingEmail(kind=EmailKind.OTHER, complaint=complaint, to=customer.email, subject="-", text_body="-",
                      status=EmailStatus.SENT, sent_at=now)
        for complaint in complaints
    )


def uses_index(plan, name):
    return re.search(rf"Index (Only )?Scan (Backward )?using {name} |Bitmap Index Scan on {name}\b", plan)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partial indexes and EXPLAIN plans are PostgreSQL's")
def test_the_sweep_reads_what_is_due_through_partial_indexes(customer):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [list(SWEEP_INDEXES)])
        in_database = dict(cursor.fetchall())
    for name, model in SWEEP_INDEXES.items():
        assert name in {index.name for index in model._meta.indexes if index.condition is not None}
        assert " WHERE " in in_database[name], in_database.get(name)

    add_settled_complaints(customer, 3000)
    file_due_complaint(customer)  # one due complaint, with a pending acknowledgement
    with connection.cursor() as cursor:
        for model in {Complaint, OutgoingEmail, Letter}:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')

    now, batch = timezone.now(), 200
    plans = {
        "complaint_adr_letter_due": sweep.adr_letter_due(now)[:batch].explain(),
        "complaint_warning_due": sweep.warning_due(now)[:batch].explain(),
    }
    for name, model in (("outbox_pending_due", OutgoingEmail), ("letter_pending_due", Letter)):
        with CaptureQueriesContext(connection) as queries:
            outbox.due_ids(model.objects, now, limit=batch)
        [query] = queries.captured_queries
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
    for name, plan in plans.items():
        assert uses_index(plan, name), f"{name} not used:\n{plan}"
