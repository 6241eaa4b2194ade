"""The reports page and its CSV downloads, for a manager, on the known complaints."""

import csv
import io
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import SUPPORT_AGENTS
from complaints.models import Category, Channel, Product, RootCause, Upheld
from complaints.models import Status as S
from tests.conftest import make_staff
from tests.reports.conftest import NOW, PERIOD_QUERY, make_complaint, outcome, uk


def get(client, url, params=None):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, params or {})


def download(client, table, params=PERIOD_QUERY):
    response = get(client, reverse("reports:download", args=[table]), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_page_shows_every_table_with_its_csv_link(manager_client, dataset):
    response = get(manager_client, reverse("reports:index"), PERIOD_QUERY)
    html = response.content.decode()
    assert "2 March 2026 to 31 May 2026" in html
    assert re.search(r'data-figure="Open complaints now">12<', html)
    assert re.search(r'data-figure="Resolved before their ADR deadline">77.8%<', html)
    assert re.search(r'data-figure="90th percentile days to resolution">56.2<', html)
    for table in ("headline", "forecast", "age", "trends", "root_causes", "return"):
        assert f'href="/reports/{table}.csv?date_from=2026-03-02&amp;date_to=2026-05-31"' in html
    for heading in ("Reaching ADR", "Open complaints by age and product", "Complaints received and resolved",
                    "Root causes and remedies", "Period return", "How the figures are counted"):
        assert heading in html
    assert 'id="trends-chart"' in html and 'id="age-chart"' in html
    assert "data-report-print" in html


def test_the_charts_get_the_numbers_the_tables_show(manager_client, dataset):
    response = get(manager_client, reverse("reports:index"), PERIOD_QUERY)
    data = json.loads(re.search(
        r'<script id="report-chart-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    ).group(1))
    trends = response.context["tables"]["trends"]
    assert data["trends"]["received"] == [row[1] for row in trends.rows]
    assert data["trends"]["resolved"] == [row[2] for row in trends.rows]
    assert data["trends"]["labels"][:2] == ["2 Mar 2026", "9 Mar 2026"]
    age = {series["label"]: series["data"] for series in data["age"]["series"]}
    assert age["GoToMeeting"] == [1, 1, 0, 2, 2]


def test_the_period_return_downloads_as_csv(manager_client, dataset):
    rows = download(manager_client, "return")
    assert rows[0] == ["Product", "Received", "Closed within 3 business days", "Closed within 4 weeks",
                       "Closed within 4-8 weeks", "Closed after 8 weeks", "Upheld",
                       "Outstanding at the period's end", "Redress paid", "Goodwill paid"]
    assert rows[1] == ["GoToMeeting", "11", "2", "2", "1", "0", "2", "6", "10.00", "0.00"]
    assert rows[-1] == ["All products", "21", "3", "2", "3", "2", "6", "13", "145.50", "0.00"]
    assert len(rows) == 1 + 7 + 1


def test_csv_downloads_name_the_table_and_period(manager_client, dataset):
    response = get(manager_client, reverse("reports:download", args=["trends"]), PERIOD_QUERY)
    assert response["Content-Disposition"] == 'attachment; filename="trends-20260302-20260531.csv"'


def test_every_table_downloads(manager_client, dataset):
    assert download(manager_client, "headline")[1] == ["Open complaints now", "12"]
    assert download(manager_client, "forecast")[1:] == [
        ["Alex Agent", "1", "2"], ["Bea Agent", "1", "1"], ["Unassigned", "0", "1"], ["All agents", "2", "4"]]
    assert download(manager_client, "age")[-1] == ["All products", "1", "2", "2", "4", "3", "12"]
    assert download(manager_client, "trends")[1] == ["2026-03-02", "3", "1"]
    assert download(manager_client, "root_causes")[-1] == [
        "All root causes", "All products", "9", "6", "66.7", "2", "2", "2", "3", "145.50", "0.00"]


def test_an_unknown_table_is_not_found(manager_client, db):
    assert get(manager_client, reverse("reports:download", args=["salaries"])).status_code == 404


def test_filters_apply_to_the_page_and_its_downloads(manager_client, dataset, bea):
    params = {**PERIOD_QUERY, "product": "gotowebinar", "agent": bea.pk}
    response = get(manager_client, reverse("reports:index"), params)
    assert "product: GoToWebinar; agent: Bea Agent" in response.content.decode()
    # Complaints 3, 4 and 13 are Bea's webinar complaints received in the period.
    assert download(manager_client, "return", params)[-1] == ["All products", "3", "0", "0", "1", "1", "2", "1",
                                                             "35.50", "0.00"]


def test_a_period_ending_before_it_starts_is_refused(manager_client, db):
    response = get(manager_client, reverse("reports:index"), {"date_from": "2026-05-31", "date_to": "2026-03-02"})
    assert response.status_code == 200
    assert "The end of the period must not be before its start." in response.content.decode()
    # The figures fall back to the last twelve weeks, this one included.
    period = response.context["scope"].period
    assert (period.first.isoformat(), period.last.isoformat()) == ("2026-03-16", "2026-06-01")


@pytest.mark.parametrize(("date_from", "date_to"), [
    ("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-01-31"), ("1999-12-31", "2000-01-31"),
])
def test_dates_out_of_range_get_a_message_never_a_500(manager_client, db, date_from, date_to):
    for path in (reverse("reports:index"), reverse("reports:download", args=["headline"])):
        response = get(manager_client, path, {"date_from": date_from, "date_to": date_to})
        assert response.status_code == 200
    page = get(manager_client, reverse("reports:index"), {"date_from": date_from, "date_to": date_to})
    assert "Choose a date between 1 January 2000 and 31 December" in page.content.decode()


def test_csv_cells_never_start_a_formula(manager_client, dataset):
    RootCause.objects.filter(name="Billing error").update(name="=HYPERLINK(\"http://x\")")
    rows = download(manager_client, "root_causes")
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")"


def test_the_page_shows_the_adr_figures(manager_client, adr_dataset):
    html = get(manager_client, reverse("reports:index"), PERIOD_QUERY).content.decode()
    assert re.search(r'data-figure="ADR letters sent">2<', html)
    assert re.search(r'data-figure="Ombudsman decisions upholding the complaint">66.7%<', html)
    assert re.search(r'data-figure="Letters that failed">1<', html)
    rows = dict(download(manager_client, "headline")[1:])
    assert (rows["ADR letters sent"], rows["Ombudsman decisions upholding the complaint"],
            rows["Letters that failed"]) == ("2", "66.7", "1")


def add_resolved_complaints(customer, agents, count):
    """File ``count`` complaints in the period across products, channels, agents and root
    causes, each resolved with an outcome a few days later."""
    products, channels, upheld = list(Product), list(Channel), list(Upheld)
    causes = list(RootCause.objects.filter(is_active=True))
    for index in range(count):
        received = uk(3 + index % 3, 2 + index % 25)
        complaint = make_complaint(customer, received, products[index % len(products)],
                                   channel=channels[index % len(channels)], agent=agents[index % len(agents)],
                                   category=Category.SERVICE_FAULT,
                                   moves=[(S.RESOLVED, received.replace(day=received.day + 3))])
        outcome(complaint, upheld=upheld[index % len(upheld)], root_cause=causes[index % len(causes)],
                credit_amount="1.00", refund_amount="2.00" if index % 2 else "0.00")


def queries_for_the_page(client):
    with CaptureQueriesContext(connection) as queries:
        response = get(client, reverse("reports:index"), PERIOD_QUERY)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_page_takes_the_same_number_of_queries_however_many_complaints(manager_client, dataset, customer,
                                                                          alex, bea, settings):
    settings.REPORTS_CACHE_SECONDS = 0  # read the figures on each request, not the kept ones
    before, html = queries_for_the_page(manager_client)
    cal = make_staff("cal.agent@example.com", "Cal Agent", SUPPORT_AGENTS)
    add_resolved_complaints(customer, [alex, bea, cal, None], 40)
    after, html_after = queries_for_the_page(manager_client)

    assert re.search(r'data-figure="Received in the period">21<', html)
    assert re.search(r'data-figure="Received in the period">61<', html_after)
    assert before == after
