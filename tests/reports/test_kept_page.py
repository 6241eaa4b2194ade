"""The figures' part of the reports page is rendered once, when the figures are read, and kept with them.

A page whose figures are kept renders only its shell and filters; it never shows tables
older than the "Figures as at" line says, in the per-process memory cache as in Redis.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import tasks
from tests.conftest import make_staff, redis_test_url, use_redis_cache
from tests.reports.conftest import NOW, PERIOD_QUERY, make_complaint, uk

REDIS_TEST_URL = redis_test_url(13)
AS_AT = re.compile(r"Figures as at 1 June 2026, (\d\d:\d\d) \(UK time\)")
RECEIVED = re.compile(r'data-figure="Received in the period">(\d+)<')
FIGURES_TEMPLATES = {"reports/_figures.html", "reports/_table.html", "reports/_row.html"}


@pytest.fixture(params=["memory", "redis"])
def any_cache(request, settings):
    """Keep the figures five minutes in the default memory cache, then in Redis (a test database)."""
    settings.REPORTS_CACHE_SECONDS = 300
    if request.param == "redis":
        use_redis_cache(settings, REDIS_TEST_URL)
    cache.clear()
    yield
    cache.clear()


def page(client, at, params=PERIOD_QUERY):
    with time_machine.travel(at, tick=False):
        response = client.get(reverse("reports:index"), params)
    assert response.status_code == 200
    return response


def shown(response):
    """Return the page's "as at" time and the received count its headline table shows."""
    html = response.content.decode()
    return AS_AT.search(html).group(1), int(RECEIVED.search(html).group(1))


def recalculate(client, at):
    with time_machine.travel(at, tick=False):
        assert client.post(f"{reverse('reports:index')}?date_from=2026-03-02&date_to=2026-05-31").status_code == 302


def test_a_page_with_its_figures_kept_renders_none_of_them_again(manager_client, dataset, any_cache):
    first = page(manager_client, NOW)
    again = page(manager_client, NOW + timedelta(minutes=1))

    rendered_first = {template.name for template in first.templates}
    rendered_again = {template.name for template in again.templates}
    assert rendered_first >= FIGURES_TEMPLATES
    assert not rendered_again & FIGURES_TEMPLATES
    figures = first.content.decode().split('id="headline"')[1]
    assert again.content.decode().split('id="headline"')[1] == figures


def test_the_tables_are_always_those_of_the_moment_the_page_names(manager_client, dataset, customer, any_cache):
    seen = [shown(page(manager_client, NOW))]
    make_complaint(customer, uk(5, 20))
    seen.append(shown(page(manager_client, NOW + timedelta(minutes=1))))  # kept: neither changes
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        tasks.refresh_default_report()  # another scope: this page's figures stay as they were
    seen.append(shown(page(manager_client, NOW + timedelta(minutes=2))))
    recalculate(manager_client, NOW + timedelta(minutes=3))
    seen.append(shown(page(manager_client, NOW + timedelta(minutes=3))))
    make_complaint(customer, uk(5, 21))
    cache.clear()  # expired or evicted (Redis expires in real time, which the test cannot travel)
    seen.append(shown(page(manager_client, NOW + timedelta(minutes=4))))

    assert seen == [("09:00", 21), ("09:00", 21), ("09:00", 21), ("09:03", 22), ("09:04", 23)]


def test_beat_reading_the_default_report_again_shows_at_once(manager_client, dataset, customer, any_cache):
    before = shown(page(manager_client, NOW, {}))
    make_complaint(customer, uk(6, 1, 8))

    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        tasks.refresh_default_report()

    assert shown(page(manager_client, NOW + timedelta(minutes=3), {})) == ("09:02", before[1] + 1)


def test_recalculating_in_the_same_instant_still_shows_the_new_figures(manager_client, dataset, customer,
                                                                        any_cache):
    before = shown(page(manager_client, NOW))
    make_complaint(customer, uk(5, 20))

    recalculate(manager_client, NOW)

    assert (before, shown(page(manager_client, NOW))) == (("09:00", 21), ("09:00", 22))


def test_the_csv_links_ask_for_the_figures_shown_however_the_filters_were_written(manager_client, dataset):
    written_otherwise = page(manager_client, NOW, {"date_to": "2026-05-31", "channel": "", "date_from": "2026-03-02"})
    as_usual = page(manager_client, NOW, PERIOD_QUERY)

    for response in (written_otherwise, as_usual):
        assert 'href="/reports/return.csv?date_from=2026-03-02&amp;date_to=2026-05-31"' in response.content.decode()


def test_the_agent_filter_lists_a_new_or_renamed_agent_at_once(manager_client, dataset, bea, any_cache):
    page(manager_client, NOW)
    make_staff("cal.agent@example.com", "Cal Agent", "Support agents")
    bea.full_name = "Bea Renamed"
    bea.save()

    html = page(manager_client, NOW).content.decode()

    assert ">Cal Agent</option>" in html and ">Bea Renamed</option>" in html and ">Bea Agent</option>" not in html


def test_the_filters_keep_the_choices_made_and_say_what_to_correct(manager_client, dataset, bea):
    html = page(manager_client, NOW, {"date_from": "not a date", "product": "gotowebinar",
                                      "agent": bea.pk}).content.decode()

    assert f'<option value="{bea.pk}" selected>Bea Agent</option>' in html
    assert '<option value="gotowebinar" selected>GoToWebinar</option>' in html
    assert ('<input type="date" name="date_from" value="not a date" class="dateinput form-control is-invalid" '
            'aria-invalid="true" aria-describedby="id_date_from_error" id="id_date_from">') in html
    assert '<p id="error_1_id_date_from"><strong>Enter a valid date.</strong></p>' in html
    assert '<input type="date" name="date_to" value="2026-' not in html  # the field left empty stays empty


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side cursors are PostgreSQL's")
def test_the_agent_filter_reads_the_staff_in_one_plain_query(manager_client, dataset):
    page(manager_client, NOW)
    with CaptureQueriesContext(connection) as captured:
        page(manager_client, NOW)

    staff = [query["sql"] for query in captured.captured_queries if 'WHERE "accounts_user"."is_staff"' in query["sql"]]
    assert len(staff) == 1 and not staff[0].startswith("DECLARE")


def test_the_filters_shown_are_always_the_requests_own(manager_client, dataset, bea, any_cache):
    chosen = {"product": "gotowebinar", "agent": bea.pk}
    pages = [page(manager_client, NOW, params).content.decode()
             for params in (chosen, {}, {"date_from": "not a date"}, {}, chosen)]

    assert ['<option value="gotowebinar" selected>' in html for html in pages] == [True, False, False, False, True]
    assert ["Enter a valid date." in html for html in pages] == [False, False, True, False, False]


def test_the_filters_default_period_follows_the_uk_day(manager_client, dataset, any_cache):
    before_midnight = page(manager_client, uk(6, 1, 23, 59), {}).content.decode()
    after_midnight = page(manager_client, uk(6, 2, 0, 1), {}).content.decode()

    assert 'name="date_to" value="2026-06-01"' in before_midnight
    assert 'name="date_to" value="2026-06-02"' in after_midnight
