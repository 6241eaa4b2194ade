"""Each count in the reaching-ADR table links to the admin's complaint list showing exactly the
complaints it counts: the link's query is resolved by the admin itself, as a manager opens it."""

from urllib.parse import urlsplit

import time_machine
from django.urls import reverse

from reports.figures import Figures
from reports.queries import Scope
from reports.report import forecast_table
from tests.reports.conftest import NOW, PERIOD


def listed(client, link):
    """Return the complaints the admin's list shows for a link."""
    url = urlsplit(link)
    assert url.path == reverse("admin:complaints_complaint_changelist")
    with time_machine.travel(NOW, tick=False):
        response = client.get(link)
    assert response.status_code == 200
    changelist = response.context["cl"]
    return set(changelist.queryset.values_list("pk", flat=True))


def test_every_forecast_count_links_to_exactly_its_complaints(manager_client, dataset, scope):
    c = dataset
    table = forecast_table(Figures(scope, NOW))
    expected = {
        "Alex Agent": ({c[16].pk}, {c[16].pk, c[18].pk}),
        "Bea Agent": ({c[17].pk}, {c[17].pk}),
        "Unassigned": (set(), {c[19].pk}),
        "All agents": ({c[16].pk, c[17].pk}, {c[16].pk, c[17].pk, c[18].pk, c[19].pk}),
    }
    rows = {row[0].value: row[1:] for row in table.all_rows}
    assert set(rows) == set(expected)
    for agent, cells in rows.items():
        for cell, complaints in zip(cells, expected[agent], strict=True):
            assert cell.value == len(complaints)
            assert listed(manager_client, cell.link) == complaints, (agent, cell.link)


def test_forecast_links_keep_the_report_filters(manager_client, dataset, alex):
    c = dataset
    table = forecast_table(Figures(Scope(period=PERIOD, product="gotowebinar", agent=alex), NOW))
    [row] = table.body
    assert [cell.value for cell in row[1:]] == [1, 1]
    assert listed(manager_client, row[2].link) == {c[16].pk}
