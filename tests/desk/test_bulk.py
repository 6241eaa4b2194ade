"""Bulk actions on the list: assign, acknowledge and export; never other status changes."""

import csv
import io
import re

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from pytest_django.asserts import assertContains

from complaints import services
from complaints.models import Complaint, EventKind, Status
from tests.conftest import file_complaint
from tests.desk.conftest import list_url


def run(client, action, complaints, **extra):
    return client.post(list_url() + "?view=all", {"action": action, "index": 0,
                                    ACTION_CHECKBOX_NAME: [complaint.pk for complaint in complaints], **extra})


def test_the_bulk_actions_offered_change_no_status_but_acknowledgement(agent_client, complaint):
    response = agent_client.get(list_url() + "?view=all")

    choices = [value for value, _ in response.context["action_form"].fields["action"].choices if value]
    assert choices == ["assign_to_me", "assign_to_agent", "acknowledge", "export_csv"]


def test_the_rows_checkboxes_match_the_admins_own_and_carry_the_selection(agent_client, customer, agent):
    chosen, left = file_complaint(customer), file_complaint(customer)

    page = agent_client.get(list_url() + "?view=all").content.decode()

    boxes = re.findall(r'<td class="action-checkbox">(.*?)</td>', page)
    expected = (f'<input type="checkbox" name="{ACTION_CHECKBOX_NAME}" value="{chosen.pk}" class="action-select" '
                f'aria-label="Select this object for an action - {chosen.tracking_number}">')
    assert expected in boxes and len(boxes) == 2
    # The admin's script (select all, shift-click) finds the boxes by this markup.
    assert expected == admin.ModelAdmin.action_checkbox(admin.site.get_model_admin(Complaint), chosen)
    assert 'id="action-toggle"' in page
    value = re.search(rf'name="{ACTION_CHECKBOX_NAME}" value="(\d+)"[^>]*{chosen.tracking_number}', page)[1]
    agent_client.post(list_url() + "?view=all", {"action": "assign_to_me", "index": 0, ACTION_CHECKBOX_NAME: [value]})

    chosen.refresh_from_db()
    left.refresh_from_db()
    assert chosen.assigned_to == agent and left.assigned_to is None


def test_assign_the_selection_to_me(agent_client, customer, agent):
    first, second, untouched = file_complaint(customer), file_complaint(customer), file_complaint(customer)

    run(agent_client, "assign_to_me", [first, second])

    for complaint in (first, second, untouched):
        complaint.refresh_from_db()
    assert first.assigned_to == agent and second.assigned_to == agent and untouched.assigned_to is None
    assert first.events.filter(kind=EventKind.ASSIGNED, actor=agent).exists()


def test_assigning_to_me_leaves_a_colleagues_complaints_alone(agent_client, customer, other_agent):
    mine, theirs = file_complaint(customer), file_complaint(customer)
    services.assign_complaint(complaint=theirs, agent=other_agent, actor=other_agent)

    response = run(agent_client, "assign_to_me", [mine, theirs])

    theirs.refresh_from_db()
    assert theirs.assigned_to == other_agent
    assertContains(agent_client.get(response.url), "only a complaint manager can take them")


def test_assign_the_selection_to_an_agent_through_a_confirmation_page(agent_client, customer, other_agent):
    first, second = file_complaint(customer), file_complaint(customer)

    page = run(agent_client, "assign_to_agent", [first, second])
    assertContains(page, first.tracking_number)
    assertContains(page, "Bea Agent")
    response = agent_client.post(list_url() + "?view=all", {
        "action": "assign_to_agent", "apply": "1", "agent": other_agent.pk, ACTION_CHECKBOX_NAME: [first.pk, second.pk],
    })

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.assigned_to == other_agent and second.assigned_to == other_agent


def test_acknowledge_the_selection_skips_those_past_it(agent_client, customer, agent):
    new, investigating = file_complaint(customer), file_complaint(customer)
    services.change_status(complaint=investigating, to=Status.INVESTIGATING, actor=agent)

    run(agent_client, "acknowledge", [new, investigating])

    new.refresh_from_db()
    investigating.refresh_from_db()
    assert new.status == Status.ACKNOWLEDGED and investigating.status == Status.INVESTIGATING
    assert new.events.filter(kind=EventKind.ACKNOWLEDGED, actor=agent).exists()


def test_export_the_selection_as_csv(agent_client, customer, other_customer):
    other_customer.full_name = "=HYPERLINK(1)"
    other_customer.save()
    first, second, left_out = file_complaint(customer), file_complaint(other_customer), file_complaint(customer)

    response = run(agent_client, "export_csv", [first, second])

    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Tracking number", "Customer", "Customer email"]
    assert {row[0] for row in rows[1:]} == {first.tracking_number, second.tracking_number}
    assert left_out.tracking_number not in {row[0] for row in rows}
    assert "'=HYPERLINK(1)" in {row[1] for row in rows}
