"""The complaint list's table, rendered a row at a time, and its filter sidebar, kept in the cache."""

import re
from urllib.parse import urlencode

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from accounts.roles import COMPLAINT_MANAGERS, SUPPORT_AGENTS
from complaints import services
from desk.admin import ComplaintAdmin
from tests.conftest import file_complaint, make_staff, use_dead_redis_cache
from tests.desk.conftest import list_url, page_url


def table(response):
    """Return the list's column names (from the headers) and each row's cell names, in order."""
    html = response.content.decode()
    head, body = html.split("<tbody>")
    columns = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', head)
    rows = [re.findall(r'<t[dh] class="(?:field-)?([\w-]+)', row)
            for row in re.findall(r"<tr>(.*?)</tr>", body.split("</tbody>")[0], re.S)]
    return columns, rows


def agent_choices(response):
    """Return the agent filter's choices as the sidebar shows them."""
    html = response.content.decode()
    sidebar = html[html.index('id="changelist-filter"'):]
    return re.findall(r'<a href="\?agent=\d+"[^>]*>(.*?)</a>', sidebar)


def filters_rendered(response):
    return any(template.name == "admin/filter.html" for template in response.templates)


def sidebar(response):
    html = response.content.decode()
    return html[html.index('<nav id="changelist-filter"'):html.index("</nav>", html.index('id="changelist-filter"'))]


def test_each_row_has_a_cell_for_each_column_in_the_headers_order(agent_client, customer, agent):
    for _ in range(3):
        services.assign_complaint(complaint=file_complaint(customer), agent=agent, actor=agent)

    columns, rows = table(agent_client.get(list_url()))

    assert columns == ComplaintAdmin.list_display
    assert rows == [["action-checkbox", *columns]] * 3


def test_a_row_is_selected_for_an_action_by_its_box(agent_client, customer, agent):
    complaint = file_complaint(customer)
    services.assign_complaint(complaint=complaint, agent=agent, actor=agent)

    response = agent_client.get(list_url())

    assertContains(response, f'<td class="action-checkbox"><input type="checkbox" name="{ACTION_CHECKBOX_NAME}" '
                             f'value="{complaint.pk}" class="action-select" aria-label="Select this object for an '
                             f'action - {complaint}"></td>', html=True)


def test_the_tracking_number_opens_the_complaint_keeping_the_lists_filters(agent_client, customer):
    complaint = file_complaint(customer)

    response = agent_client.get(list_url(), {"view": "all", "q": complaint.tracking_number})

    back = urlencode({"_changelist_filters": urlencode({"view": "all", "q": complaint.tracking_number})})
    assertContains(response, f'<th class="field-tracking_number"><a href="{page_url(complaint)}?{back}">'
                             f"{complaint.tracking_number}</a></th>", html=True)


def test_a_list_opened_to_pick_a_complaint_hands_it_back(agent_client, customer):
    # The referral form's magnifying glass opens the list in a popup to pick a complaint.
    complaint = file_complaint(customer)

    response = agent_client.get(list_url(), {"view": "all", "_popup": "1", "_to_field": "id"})

    assertContains(response, f'data-popup-opener="{complaint.pk}">{complaint.tracking_number}</a>')
    assertNotContains(response, 'class="action-select"')


def test_an_empty_cell_says_so_as_the_admin_does(agent_client, customer, agent):
    services.assign_complaint(complaint=file_complaint(customer), agent=agent, actor=agent)

    response = agent_client.get(list_url())

    assertContains(response, '<td class="field-flags">-</td>', html=True)


def test_sorting_by_a_column_header_still_orders_the_list(agent_client, customer, other_customer):
    first = file_complaint(other_customer)
    second = file_complaint(customer)
    column = ComplaintAdmin.list_display.index("customer_name") + 1  # after the selection box

    response = agent_client.get(list_url(), {"view": "all", "o": str(column)})

    assert [complaint.pk for complaint in response.context["cl"].result_list] == [second.pk, first.pk]
    assertContains(response, 'class="sortable column-customer_name sorted ascending"')


def test_the_filter_sidebar_is_rendered_once_for_a_list(agent_client, customer):
    file_complaint(customer)

    first, again = agent_client.get(list_url(), {"view": "all"}), agent_client.get(list_url(), {"view": "all"})
    other = agent_client.get(list_url(), {"view": "unassigned"})

    assert filters_rendered(first) and not filters_rendered(again) and filters_rendered(other)
    assert sidebar(again) == sidebar(first) != sidebar(other)


def test_a_searched_list_keeps_no_sidebar_that_carries_the_search(agent_client, customer):
    file_complaint(customer)

    agent_client.get(list_url(), {"q": customer.email})
    again = agent_client.get(list_url(), {"q": customer.email})

    # Its links hold a customer's name or email: rendered each time, never kept in the cache.
    assert filters_rendered(again)
    assertContains(again, customer.email)


def rename(person):
    person.full_name = "Bea Renamed"
    person.save()


def no_longer_staff(person):
    person.is_staff = False
    person.save()


def out_of_the_agents(person):
    person.groups.clear()


@pytest.mark.parametrize("change, shown", [
    (rename, ["Alex Agent", "Bea Renamed"]),
    (no_longer_staff, ["Alex Agent"]),
    (out_of_the_agents, ["Alex Agent"]),
])
def test_a_change_to_the_staff_shows_in_the_agent_filter_at_once(agent_client, agent, other_agent, change, shown):
    assert agent_choices(agent_client.get(list_url())) == ["Alex Agent", "Bea Agent"]

    change(other_agent)

    assert agent_choices(agent_client.get(list_url())) == shown


def test_new_staff_show_in_the_agent_filter_at_once(agent_client, agent):
    assert agent_choices(agent_client.get(list_url())) == ["Alex Agent"]

    make_staff("cleo.manager@example.com", "Cleo Manager", COMPLAINT_MANAGERS)
    make_staff("ab.newcomer@example.com", "", SUPPORT_AGENTS)

    assert agent_choices(agent_client.get(list_url())) == ["ab.newcomer@example.com", "Alex Agent", "Cleo Manager"]


def list_queries(client, params=None):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(list_url(), params or {}).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_queue_orders_by_its_expression_once(agent_client, customer, agent):
    services.assign_complaint(complaint=file_complaint(customer), agent=agent, actor=agent)

    [ordered] = [sql for sql in list_queries(agent_client) if "ORDER BY CASE" in sql]

    assert ordered.split("ORDER BY")[1].count("CASE WHEN") == 1


def test_the_page_reads_only_the_columns_its_rows_show(agent_client, customer, agent):
    services.assign_complaint(complaint=file_complaint(customer), agent=agent, actor=agent)

    [rows] = [sql for sql in list_queries(agent_client) if '"tracking_number"' in sql and " IN (" in sql]

    for unread in ('"description"', '"desired_outcome"', '"password"', '"address"'):
        assert unread not in rows


def test_a_new_deploy_renders_the_filter_sidebar_afresh(agent_client, settings):
    agent_client.get(list_url())
    settings.CODE_VERSION = "next-release"

    assert filters_rendered(agent_client.get(list_url()))


def test_the_list_shows_its_filters_while_the_cache_is_down(agent_client, settings):
    use_dead_redis_cache(settings)

    assert agent_choices(agent_client.get(list_url())) == ["Alex Agent"]
