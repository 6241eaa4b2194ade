"""The heartbeat: /healthz and the admin banner notice a sweep that stopped."""

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import PreferredContact
from ombudsman import delivery, services, sweep
from ombudsman.models import SweepRun
from tests.conftest import file_complaint
from tests.ombudsman.conftest import decide, file_due_complaint, uk


def test_healthz_is_unhealthy_before_any_sweep(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["clock"]["last_sweep_at"] is None


def test_healthz_turns_unhealthy_when_the_sweep_stops(client, db, settings):
    settings.CLOCK_UNHEALTHY_AFTER = timedelta(minutes=15)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sweep.run()
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "database": "ok",
        "clock": {"healthy": True, "last_sweep_at": start.isoformat(), "age_seconds": 0, "limit_seconds": 900,
                  "failing": 0, "problems": []},
    }
    with time_machine.travel(start + timedelta(minutes=15), tick=False):
        assert client.get("/healthz").status_code == 200
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["clock"]["healthy"] is False


@pytest.mark.parametrize(("sweep_minutes", "limit_seconds"), [("1", 180.0), ("2.5", 450.0)])
def test_the_clock_is_unhealthy_after_three_sweep_intervals_by_default(sweep_minutes, limit_seconds):
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLOCK_")}
    env.update(CLOCK_SWEEP_MINUTES=sweep_minutes, DJANGO_SETTINGS_MODULE="complaints_portal.settings")
    printed = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; "
         "print(settings.CLOCK_UNHEALTHY_AFTER.total_seconds())"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True,
    )
    assert float(printed.stdout) == limit_seconds


def test_healthz_with_the_default_limit_allows_three_sweep_intervals(client, db):
    limit = timedelta(minutes=3 * settings.CLOCK_SWEEP_MINUTES)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sweep.run()
    with time_machine.travel(start + limit - timedelta(seconds=1), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["clock"]["limit_seconds"] == limit.total_seconds()
    with time_machine.travel(start + limit + timedelta(seconds=1), tick=False):
        assert client.get("/healthz").status_code == 503


def test_a_crashed_sweep_is_no_sign_of_life(client, db):
    SweepRun.objects.create(swept_as_of=timezone.now())
    assert client.get("/healthz").status_code == 503


def test_the_admin_shows_staff_a_banner_while_the_clock_is_down(client, manager):
    client.force_login(manager)
    assert "The clock is not running" in client.get("/admin/").content.decode()
    sweep.run()
    assert "The clock is not running" not in client.get("/admin/").content.decode()


def test_the_admin_login_page_shows_no_banner(client, db):
    assert "clock-banner" not in client.get("/admin/login/").content.decode()


def test_the_admin_banner_counts_warned_complaints_and_the_print_queue(client, manager, customer):
    file_complaint(customer, received_at=timezone.now() - timedelta(days=50))
    customer.preferred_contact = PreferredContact.POST
    customer.save()
    letter = services.create_adr_letter(complaint=file_due_complaint(customer))
    delivery.deliver(letter.pk)
    sweep.run()
    client.force_login(manager)
    html = client.get("/admin/").content.decode()
    assert "1 open complaint reaches the end of the ADR waiting period" in html
    # The letter, and the acknowledgement of the due complaint by post.
    assert "2 letters waiting to be printed and posted" in html


def test_the_admin_banner_counts_warned_complaints_without_sorting_them(client, manager, customer):
    file_complaint(customer, received_at=timezone.now() - timedelta(days=50))
    sweep.run()
    client.force_login(manager)
    with CaptureQueriesContext(connection) as queries:
        assert "1 open complaint reaches" in client.get("/admin/").content.decode()
    (count,) = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "deadline_warning_sent_at" in q["sql"]]
    assert "ORDER BY" not in count


def test_the_admin_banner_reads_its_counts_in_one_query(client, manager, customer):
    file_complaint(customer, received_at=timezone.now() - timedelta(days=50))
    sweep.run()
    client.force_login(manager)
    client.get("/admin/")

    with CaptureQueriesContext(connection) as queries:
        assert "1 open complaint reaches" in client.get("/admin/").content.decode()

    banner_tables = ("ombudsman_letter", "complaints_postalletter", "ombudsman_referral", "deadline_warning_sent_at")
    assert len([q for q in queries if any(table in q["sql"] for table in banner_tables)]) == 1


def test_the_banner_says_each_count_on_its_own_line(client, manager, customer, agent, referral, settings):
    """Two failing letter emails and one overdue decision: distinct counts, so no line shows another's."""
    with time_machine.travel(uk(2026, 12, 5, 10), tick=False):
        decide(referral, agent)
        services.record_customer_acceptance(referral=referral, actor=agent, accepted_on=date(2026, 12, 4))
    with time_machine.travel(uk(2027, 1, 2, 9), tick=False):
        assert sweep.run().counts["compliance_overdue"] == 1
        settings.EMAIL_BACKEND = "tests.ombudsman.conftest.FlakyBackend"
        for _ in range(2):
            delivery.deliver(services.create_adr_letter(complaint=file_due_complaint(customer)).pk)
        client.force_login(manager)
        html = client.get("/admin/").content.decode()

    assert "2 letter emails failing and being retried" in html
    assert "1 ombudsman decision not complied with by the deadline" in html
