from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import get_template
from django.utils import timezone

from accounts import totp
from accounts.models import Authenticator, User
from accounts.roles import is_agent, is_manager
from accounts.two_factor import confirmed_authenticator, setup_uri
from clock import UK, uk_midnight
from complaints.management.bulk_rows import ConnectionBusy, Loader, TableWriter
from complaints.models import (
    ALLOWED_TRANSITIONS,
    CLOSED_STATUSES,
    Complaint,
    Event,
    EventKind,
    OutgoingEmail,
    Status,
)
from complaints.tracking import normalise_tracking_number
from ombudsman.models import Scheme, WaitingPeriodPolicy

pytestmark = pytest.mark.django_db

DEMO_LOGINS = {
    "customer@example.com": "demo-customer-2026",
    "other.customer@example.com": "demo-other-2026",
    "agent@example.com": "demo-agent-2026",
    "manager@example.com": "demo-manager-2026",
    "admin@example.com": "demo-admin-2026",
}
# Deadlock is a move too: one event records it (ombudsman.services.declare_deadlock).
STATUS_EVENTS = (EventKind.ACKNOWLEDGED, EventKind.STATUS_CHANGED, EventKind.WITHDRAWN, EventKind.REOPENED,
                 EventKind.DEADLOCK)
DEMO_STAFF = ("agent@example.com", "manager@example.com", "admin@example.com")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")


def seed(**options):
    call_command("seed_demo", stdout=open("/dev/null", "w"), **options)  # noqa: SIM115


def test_demo_accounts_log_in_with_the_printed_passwords_and_have_their_roles(capsys):
    call_command("seed_demo", complaints=0)

    printed = capsys.readouterr().out
    users = {email: authenticate(username=email, password=password) for email, password in DEMO_LOGINS.items()}
    assert all(users.values())
    assert all(password in printed for password in DEMO_LOGINS.values())
    assert not users["customer@example.com"].is_staff and not users["other.customer@example.com"].is_staff
    assert is_agent(users["agent@example.com"])
    assert is_manager(users["manager@example.com"]) and not users["manager@example.com"].is_superuser
    assert users["admin@example.com"].is_superuser


def test_running_again_keeps_one_of_each_account_and_loads_complaints_once():
    seed()
    seed()

    assert User.objects.filter(email__in=DEMO_LOGINS).count() == len(DEMO_LOGINS)
    assert Complaint.objects.count() == 200


def test_complaints_option_adds_that_many_more():
    seed(complaints=30)
    seed(complaints=25)

    assert Complaint.objects.count() == 55


def test_demo_customers_get_complaints_of_their_own():
    seed(complaints=10, batch_size=3)

    assert Complaint.objects.filter(customer__email="customer@example.com").count() == 3
    assert Complaint.objects.filter(customer__email="other.customer@example.com").count() == 1


def test_tracking_numbers_are_valid_and_unique():
    seed(complaints=300, seed=1)

    numbers = list(Complaint.objects.values_list("tracking_number", flat=True))
    assert all(normalise_tracking_number(number) == number for number in numbers)
    assert len(set(numbers)) == 300


def test_clock_is_fixed_from_receipt_as_fix_clock_does():
    WaitingPeriodPolicy.objects.create(effective_from=timezone.localdate() - timedelta(days=30), days=42)
    seed(complaints=200, seed=2)

    complaints = Complaint.objects.select_related("customer")
    assert {c.waiting_period_days for c in complaints} == {56, 42}
    for complaint in complaints:
        assert complaint.waiting_period_days == WaitingPeriodPolicy.days_for(complaint.received_on)
        ends_on = complaint.received_on + timedelta(days=complaint.waiting_period_days)
        assert complaint.adr_opens_at == uk_midnight(ends_on)
        assert complaint.adr_rights == complaint.customer.has_adr_rights
        assert complaint.adr_letter_pending == complaint.adr_rights


def test_status_and_timeline_tell_the_same_story():
    now = timezone.now()
    seed(complaints=400, seed=3)

    for complaint in Complaint.objects.prefetch_related("events"):
        events = list(complaint.events.all())
        assert events[0].kind == EventKind.FILED
        assert complaint.received_at <= events[0].created_at == complaint.created_at <= now
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        assert events[-1].created_at <= now
        moves = [e for e in events if e.kind in STATUS_EVENTS]
        status = Status.RECEIVED
        for move in moves:
            assert move.data["from"] == status and move.data["to"] in ALLOWED_TRANSITIONS[status]
            status = move.data["to"]
        assert complaint.status == status
        assert (complaint.closed_at is not None) == (status in CLOSED_STATUSES)
        if complaint.closed_at:
            assert complaint.closed_at == moves[-1].created_at
        assert (complaint.acknowledged_at is not None) == (status != Status.RECEIVED)
        assert (complaint.deadlock_at is not None) == (status == Status.DEADLOCK)


def test_final_answers_carry_the_outcome_and_the_complaints_own_details():
    seed(complaints=300, seed=4)

    answered = Complaint.objects.filter(events__data__final_answer=True).distinct()
    assert answered.exists()
    for complaint in answered:
        answer = complaint.events.get(data__final_answer=True)
        assert complaint.status == Status.RESOLVED and complaint.upheld
        assert complaint.tracking_number in answer.body
        assert complaint.resolution_summary in answer.body


def test_history_spreads_over_six_months_with_every_kind_of_outcome():
    now = timezone.now()
    seed(complaints=1000, seed=5)

    complaints = list(Complaint.objects.all())
    ages = [(now - c.received_at).days for c in complaints]
    assert min(ages) == 0 and 170 <= max(ages) <= 183
    statuses = {c.status for c in complaints}
    assert {Status.RESOLVED, Status.WITHDRAWN, Status.DEADLOCK, Status.INVESTIGATING} <= statuses
    assert any(not c.is_closed and c.is_past_waiting_period(now) for c in complaints), \
        "some open complaints are past their waiting period"
    old = [c for c in complaints if (now - c.received_at).days > 90]
    assert sum(c.is_closed for c in old) > 0.7 * len(old), "old complaints are mostly closed"
    assert sum(c.channel == "web" for c in complaints) > 0.6 * len(complaints)
    assert Complaint.objects.values("customer").distinct().count() < len(complaints), "some customers return"
    seeded_customers = User.objects.filter(email__endswith="@customers.example.com")
    assert seeded_customers.exists()
    assert not any(user.has_usable_password() for user in seeded_customers)


def test_deadline_warnings_are_on_record_for_complaints_open_when_the_sweep_would_warn(settings):
    now = timezone.now()
    seed(complaints=400, seed=6)

    warned = 0
    for complaint in Complaint.objects.prefetch_related("events"):
        warn_at = complaint.adr_opens_at - timedelta(days=settings.ADR_WARNING_DAYS)
        warnings = [e for e in complaint.events.all() if e.kind == EventKind.DEADLINE_WARNING]
        moves_before = [e for e in complaint.events.all() if e.kind in STATUS_EVENTS and e.created_at <= warn_at]
        status_then = moves_before[-1].data["to"] if moves_before else Status.RECEIVED
        owed = warn_at <= now and status_then not in (*CLOSED_STATUSES, Status.DEADLOCK)
        assert len(warnings) == owed
        assert complaint.deadline_warning_sent_at == (warn_at if owed else None)
        warned += owed
    assert warned


def test_deadlocks_are_declared_as_the_ombudsman_service_records_them():
    seed(complaints=600, seed=8)

    deadlocked = Complaint.objects.filter(status=Status.DEADLOCK)
    assert deadlocked.exists()
    for complaint in deadlocked:
        declared = complaint.events.get(kind=EventKind.DEADLOCK)
        assert declared.created_at >= complaint.deadlock_at and declared.body


def test_no_email_is_queued_for_historical_complaints():
    seed(complaints=100)

    assert not OutgoingEmail.objects.exists()


def test_same_seed_repeats_the_same_history():
    seed(complaints=4)  # the demo customers' own complaints, which a later run does not repeat
    earlier = set(Complaint.objects.values_list("pk", flat=True))
    with time_machine.travel(timezone.now(), tick=False):
        seed(complaints=40, seed=9, batch_size=15)
        first_ids = set(Complaint.objects.values_list("pk", flat=True)) - earlier
        seed(complaints=40, seed=9, batch_size=15)

    def history(complaints):
        return [(c.customer.full_name, c.received_at, c.description, c.status, c.closed_at, c.events.count())
                for c in complaints.select_related("customer").order_by("pk")]

    first = history(Complaint.objects.filter(pk__in=first_ids))
    second = history(Complaint.objects.exclude(pk__in=first_ids | earlier))
    assert first == second


def test_refuses_to_run_in_production_unless_forced(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        seed(complaints=0)
    assert not User.objects.exists()

    seed(complaints=0, force=True)
    assert User.objects.filter(email="customer@example.com").exists()


def test_demo_staff_have_an_authenticator_whose_secret_is_printed_and_kept_on_a_rerun(capsys):
    call_command("seed_demo", complaints=0)
    first = capsys.readouterr().out
    call_command("seed_demo", complaints=0)
    second = capsys.readouterr().out

    for email in DEMO_STAFF:
        authenticator = confirmed_authenticator(User.objects.get(email=email))
        assert authenticator.accept(totp.code_at(authenticator.secret, totp.step_at(timezone.now())))
        assert authenticator.secret in first and authenticator.secret in second
        assert setup_uri(authenticator) in second
    assert Authenticator.objects.count() == len(DEMO_STAFF)


def test_final_answers_read_exactly_as_the_template_renders_them():
    seed(complaints=400, seed=4)

    template, scheme = get_template("complaints/final_answer.txt"), Scheme.objects.provider_scheme()
    answers = Event.objects.filter(data__final_answer=True).select_related("complaint")
    assert answers.count() > 100
    assert {answer.complaint.credit_amount > 0 for answer in answers} == {True, False}
    for answer in answers:
        assert answer.body == template.render({"complaint": answer.complaint, "scheme": scheme})


@pytest.mark.parametrize("users_before", [0, 1])
def test_ids_reserved_for_a_batch_are_never_given_to_other_rows(users_before):
    for number in range(users_before):
        User.objects.create_user(email=f"earlier.{number}@example.com", full_name="Earlier")
    reserved = TableWriter(User, ["full_name"]).new_ids(3)

    later = User.objects.create_user(email="later@example.com", full_name="Later")
    assert later.pk > max(reserved)


AWKWARD_TEXT = ("", 'a, "quoted" line\nand another\r\n\\N NULL \t£5 é', "x" * 300)


@postgresql_only
def test_copy_writes_the_same_rows_as_ordinary_inserts(complaint):
    events = TableWriter(Event, ["complaint_id", "created_at", "kind", "actor_id", "summary", "body",
                                 "visible_to_customer", "data"])
    event_rows = [
        (complaint.pk, datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=UK), EventKind.NOTE, actor, "Note", body,
         visible, data)
        for body in AWKWARD_TEXT for actor in (None, complaint.customer_id) for visible in (True, False)
        for data in ({}, {"from": Status.RECEIVED, "to": None, "list": [1, "two"], "text": AWKWARD_TEXT[1]})
    ]
    customers = TableWriter(User, ["id", "email", "full_name", "address", "business_workers", "date_joined"])
    people = [(has_email, name, address, workers) for has_email in (False, True) for name in ("Ann", AWKWARD_TEXT[1])
              for address in AWKWARD_TEXT for workers in (None, 7)]

    def written(write):
        last_event = Event.objects.order_by("pk").last().pk
        ids = customers.new_ids(len(people))
        write(events, event_rows)
        write(customers, [(pk, f"{pk}@example.com" if has_email else None, name, address, workers,
                           datetime(2025, 3, 30, 1, 30, tzinfo=UK))
                          for pk, (has_email, name, address, workers) in zip(ids, people, strict=True)])
        saved_events = Event.objects.filter(pk__gt=last_event).order_by("pk").values()
        saved_users = User.objects.filter(pk__in=ids).order_by("pk").values()
        return ([event | {"id": None} for event in saved_events],
                [user | {"id": None, "email": user["email"] is not None} for user in saved_users])

    def copy(writer, rows):
        with Loader() as loader, loader.running([writer.copy_statement(rows)]):
            pass

    def insert(writer, rows):
        with connection.cursor() as cursor:
            cursor.executemany(*writer.insert_statement(rows))

    copied, inserted = written(copy), written(insert)
    assert len(copied[0]) == len(event_rows) and len(copied[1]) == len(people)
    assert copied == inserted


@postgresql_only
def test_queries_while_rows_are_copied_are_refused(complaint):
    events = TableWriter(Event, ["complaint_id", "kind", "summary"])
    statement = events.copy_statement([(complaint.pk, EventKind.NOTE, "Note")])

    with Loader() as loader, loader.running([statement]), pytest.raises(ConnectionBusy):
        Complaint.objects.count()
    assert complaint.events.filter(kind=EventKind.NOTE).count() == 1
