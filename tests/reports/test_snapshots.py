"""The report's figures are kept for a few minutes, recalculated on request and by Celery beat."""

import dataclasses
import json
import os
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from reports import snapshots, tasks
from reports.queries import Scope
from tests.reports.conftest import NOW, PERIOD_QUERY, make_complaint, uk

RECEIVED = re.compile(r'data-figure="Received in the period">(\d+)<')


@pytest.fixture(autouse=True)
def kept_five_minutes(settings):
    settings.REPORTS_CACHE_SECONDS = 300


def received_shown(client, at, params=PERIOD_QUERY):
    with time_machine.travel(at, tick=False):
        response = client.get(reverse("reports:index"), params)
    assert response.status_code == 200
    html = response.content.decode()
    return int(RECEIVED.search(html).group(1)), html


def test_the_page_shows_the_kept_figures_and_their_time_until_they_expire(manager_client, dataset, customer):
    first, html = received_shown(manager_client, NOW)
    make_complaint(customer, uk(5, 20))

    still, html_again = received_shown(manager_client, NOW + timedelta(minutes=4))
    later, html_later = received_shown(manager_client, NOW + timedelta(minutes=5, seconds=1))

    assert (first, still, later) == (21, 21, 22)
    assert "Figures as at 1 June 2026, 09:00 (UK time), kept for up to 5 minutes." in html_again
    assert "Figures as at 1 June 2026, 09:05 (UK time)" in html_later


def test_recalculating_reads_the_figures_at_once_and_keeps_the_filters(manager_client, dataset, customer):
    received_shown(manager_client, NOW)
    make_complaint(customer, uk(5, 20))
    url = f"{reverse('reports:index')}?date_from=2026-03-02&date_to=2026-05-31"

    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        response = manager_client.post(url)
    shown, html = received_shown(manager_client, NOW + timedelta(minutes=2))

    assert response.status_code == 302 and response["Location"] == url
    assert shown == 22
    assert "Figures as at 1 June 2026, 09:01 (UK time)" in html


def test_each_set_of_filters_keeps_its_own_figures(manager_client, dataset, customer):
    everything, _ = received_shown(manager_client, NOW)
    webinars, _ = received_shown(manager_client, NOW, {**PERIOD_QUERY, "product": "gotowebinar"})
    default_period, _ = received_shown(manager_client, NOW, {})

    assert everything == 21
    assert 0 < webinars < everything
    assert default_period != everything


def test_the_csv_download_has_the_figures_the_page_showed(manager_client, dataset, customer):
    received_shown(manager_client, NOW)
    make_complaint(customer, uk(5, 20))

    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        response = manager_client.get(reverse("reports:download", args=["headline"]), PERIOD_QUERY)

    assert "Received in the period,21" in response.content.decode()


def test_the_refresh_task_reads_the_default_report_again(manager_client, dataset, customer):
    before, _ = received_shown(manager_client, NOW, {})
    make_complaint(customer, uk(5, 20))

    with time_machine.travel(NOW + timedelta(minutes=2, seconds=30), tick=False):
        tasks.refresh_default_report()
    shown, html = received_shown(manager_client, NOW + timedelta(minutes=3), {})

    assert "Figures as at 1 June 2026, 09:02 (UK time)" in html
    assert shown == before + 1


def test_with_nothing_kept_every_request_reads_the_figures(manager_client, dataset, customer, settings):
    settings.REPORTS_CACHE_SECONDS = 0
    first, _ = received_shown(manager_client, NOW)
    make_complaint(customer, uk(5, 20))

    assert (first, received_shown(manager_client, NOW)[0]) == (21, 22)


@pytest.mark.parametrize("persona", ["customer", "agent"])
def test_only_managers_may_recalculate(client, dataset, persona, request):
    client.force_login(request.getfixturevalue(persona))

    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("reports:index"))

    assert response.status_code == 403


@pytest.fixture(params=["refusing", "silent"])
def dead_cache(request, settings):
    """A Redis cache where nothing listens, or where connections are taken and never answered."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        if request.param == "silent":
            listener.listen(16)
        url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        settings.CACHES = {"default": {**cache_settings(REDIS_URL=url), "LOCATION": url}}
        yield


def test_the_page_reads_its_figures_while_the_cache_is_down(manager_client, dataset, dead_cache, caplog):
    started = time.monotonic()
    shown, _ = received_shown(manager_client, NOW)

    assert shown == 21
    assert time.monotonic() - started < 5
    assert [record.getMessage() for record in caplog.records if record.name == "reports.snapshots"] == [
        "Report figures read afresh: the cache is unavailable"]


def settings_value(expression, **environment):
    """Return a settings value (JSON) as the settings module makes it from ``environment``."""
    code = f"import django, json; django.setup(); from django.conf import settings; print(json.dumps({expression}))"
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "REPORTS_CACHE_SECONDS")}
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                            env={**env, **environment}, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout)


def cache_settings(**environment):
    return settings_value("settings.CACHES['default']", **environment)


def beat_entry(**environment):
    """Return the refresh's beat entry as settings make it from ``environment``, or None."""
    return settings_value("(lambda entry: entry and {**entry, 'schedule': entry['schedule'].total_seconds()})"
                          "(settings.CELERY_BEAT_SCHEDULE.get('refresh-default-report'))", **environment)


def test_beat_reads_the_default_report_every_half_of_the_time_kept_when_the_cache_is_shared():
    assert beat_entry(REDIS_URL="redis://127.0.0.1:6379/12", REPORTS_CACHE_SECONDS="600") == {
        "task": "reports.tasks.refresh_default_report", "schedule": 300.0, "options": {"expires": 300.0},
    }
    # A memory cache is each process's own: what beat's worker read, no web process would see.
    assert beat_entry() is None
    assert beat_entry(REDIS_URL="redis://127.0.0.1:6379/12", REPORTS_CACHE_SECONDS="0") is None


def test_every_filter_of_a_scope_keeps_figures_of_its_own(scope, alex):
    period = scope.period
    changes = {"period": dataclasses.replace(period, first=period.first + timedelta(days=1)),
               "product": "gotowebinar", "category": "refund", "channel": "phone", "agent": alex}
    # A filter added to Scope without a change here fails: each must make its own key.
    assert set(changes) == {field.name for field in dataclasses.fields(Scope)}

    keys = {snapshots._key(dataclasses.replace(Scope(period=period), **{name: value}))
            for name, value in changes.items()}

    assert len(keys | {snapshots._key(Scope(period=period))}) == len(changes) + 1


def test_recalculating_needs_the_pages_csrf_token(manager, dataset):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("reports:index"))

    assert response.status_code == 403
