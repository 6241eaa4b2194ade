"""The report's figures are kept for a few minutes, recalculated on request and by Celery beat."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from reports import tasks
from tests.reports.conftest import NOW, make_complaint, uk

PERIOD_QUERY = {"date_from": "2026-03-02", "date_to": "2026-05-31"}
RECEIVED = re.compile(r'data-figure="Received in the period">(\d+)<')


@pytest.fixture(autouse=True)
def kept_five_minutes(settings):
    settings.REPORTS_CACHE_SECONDS = 300


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


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
    assert "Figures as at 1 June 2026, 09:00 (UK time), read again every 5 minutes." in html_again
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


def test_beat_reads_the_default_report_again_before_it_expires(manager_client, dataset, customer):
    before, _ = received_shown(manager_client, NOW, {})
    make_complaint(customer, uk(5, 20))

    with time_machine.travel(NOW + timedelta(minutes=2, seconds=30), tick=False):
        tasks.refresh_default_report()
    shown, html = received_shown(manager_client, NOW + timedelta(minutes=3), {})

    entry = settings.CELERY_BEAT_SCHEDULE["refresh-default-report"]
    assert entry["task"] == "reports.tasks.refresh_default_report"
    assert entry["schedule"] == timedelta(seconds=150)
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


def test_the_page_reads_its_figures_while_the_cache_is_down(manager_client, dataset, settings, caplog):
    # Nothing listens on port 1: every cache call fails at once.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}

    shown, _ = received_shown(manager_client, NOW)

    assert shown == 21
    assert "Report figures read afresh: the cache is unavailable" in caplog.text
    assert "Report figures not kept: the cache is unavailable" in caplog.text
