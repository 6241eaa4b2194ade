"""The charts, drawn in a real browser, show the numbers the tables beside them show."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from complaints.models import Product, Status
from complaints.services import change_status
from tests.conftest import PASSWORD, enter_staff_code, file_complaint

READ_CHART = """id => {
  const chart = Chart.getChart(id);
  return {
    labels: chart.data.labels,
    datasets: chart.data.datasets.map(d => ({label: d.label, data: d.data})),
    drawn: chart.getDatasetMeta(0).data.length,
    width: chart.canvas.getBoundingClientRect().width,
  };
}"""

READ_TABLE = """id => Array.from(document.querySelectorAll('#' + id + ' tbody tr')).map(
  row => Array.from(row.children).map(cell => cell.textContent.trim())
)"""


@pytest.fixture
def recent_complaints(customer):
    """Complaints received and resolved over the last few weeks, in three products."""
    now = timezone.now()
    for weeks_ago, product, resolved_after in [(1, Product.GOTOMEETING, 2), (3, Product.GOTOMEETING, 5),
                                               (3, Product.GOTOWEBINAR, None), (5, Product.BILLING_ACCOUNT, 10),
                                               (6, Product.GOTOWEBINAR, None), (9, Product.GOTOMEETING, None)]:
        received = now - timedelta(weeks=weeks_ago)
        complaint = file_complaint(customer, received_at=received, product=product)
        if resolved_after is not None:
            with time_machine.travel(received + timedelta(days=resolved_after), tick=False):
                change_status(complaint=complaint, to=Status.RESOLVED)


@pytest.mark.browser
def test_charts_show_the_figures_in_the_tables(live_server, page, manager, recent_complaints):
    page.goto(f"{live_server.url}/reports/")
    page.fill("#id_username", manager.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    enter_staff_code(page)
    page.wait_for_url(f"{live_server.url}/reports/")

    trends = page.evaluate(READ_CHART, "trends-chart")
    rows = page.evaluate(READ_TABLE, "trends-table")
    assert trends["labels"] == [row[0] for row in rows]
    assert [dataset["label"] for dataset in trends["datasets"]] == ["Received", "Resolved"]
    assert trends["datasets"][0]["data"] == [int(row[1]) for row in rows]
    assert trends["datasets"][1]["data"] == [int(row[2]) for row in rows]
    assert sum(trends["datasets"][0]["data"]) == 6
    assert trends["drawn"] == len(rows) == 12
    assert trends["width"] > 300

    ages = page.evaluate(READ_CHART, "age-chart")
    rows = page.evaluate(READ_TABLE, "age-table")
    assert ages["labels"] == ["0-2 weeks", "2-4 weeks", "4-6 weeks", "6-8 weeks", "Over 8 weeks"]
    assert [(dataset["label"], dataset["data"]) for dataset in ages["datasets"]] == [
        (row[0], [int(value) for value in row[1:-1]]) for row in rows
    ]
    assert sum(sum(dataset["data"]) for dataset in ages["datasets"]) == 3

    page.screenshot(path="/tmp/reports.png", full_page=True)

    # The printed page keeps the figures and drops the navigation, filters and buttons.
    page.emulate_media(media="print")
    assert page.is_visible("#return-table")
    assert page.is_visible("#trends-chart")
    for hidden in ("header nav", ".report-filters", "[data-report-print]", "#return a.btn"):
        assert page.is_hidden(hidden), hidden
    page.screenshot(path="/tmp/reports-print.png", full_page=True)
