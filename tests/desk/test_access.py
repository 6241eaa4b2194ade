"""Who may do what in the admin: agents, managers, superusers, customers and strangers."""

import pytest
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse
from pytest_django.asserts import assertContains, assertNotContains

from accounts.roles import COMPLAINT_MANAGERS, SUPPORT_AGENTS
from complaints import services
from complaints.models import Event, RootCause, Status
from ombudsman import services as adr_services
from ombudsman.models import Letter
from tests.desk.conftest import client_for, due_complaint, list_url, page_url, post_action


def test_agents_have_exactly_the_complaint_permissions_they_need(db):
    granted = set(Group.objects.get(name=SUPPORT_AGENTS).permissions
                  .filter(content_type__app_label="complaints").values_list("codename", flat=True))

    assert granted == {"add_complaint", "change_complaint", "view_complaint", "view_event", "view_attachment",
                       "view_outgoingemail", "view_rootcause", "change_postalletter", "view_postalletter"}


def test_managers_have_the_agents_permissions_and_more(db):
    agents = set(Group.objects.get(name=SUPPORT_AGENTS).permissions.values_list("codename", flat=True))
    managers = set(Group.objects.get(name=COMPLAINT_MANAGERS).permissions.values_list("codename", flat=True))

    assert agents <= managers
    assert {"reassign_complaint", "add_rootcause", "change_rootcause"} <= managers - agents
    assert not any(codename.startswith("delete_") and codename.endswith(("complaint", "event", "letter"))
                   for codename in agents | managers)


def test_an_agent_cannot_delete_a_complaint(agent_client, complaint):
    assert agent_client.get(reverse("admin:complaints_complaint_delete", args=[complaint.pk])).status_code == 403
    assert agent_client.post(reverse("admin:complaints_complaint_delete", args=[complaint.pk]),
                             {"post": "yes"}).status_code == 403
    assertNotContains(agent_client.get(list_url()), "delete_selected")
    assert agent_client.post(list_url(), {"action": "delete_selected", "index": 0,
                                          "_selected_action": [complaint.pk]}).status_code == 302
    assert complaint.__class__.objects.filter(pk=complaint.pk).exists()


@pytest.mark.parametrize("persona", ["agent", "manager", "superuser"])
def test_nobody_edits_or_deletes_an_event_through_the_admin(request, persona, complaint):
    client = client_for(request.getfixturevalue(persona))
    event = complaint.events.get()

    for name in ("change", "delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:complaints_event_{name}", args=[event.pk])
    assertNotContains(client.get(page_url(complaint)), 'name="events-0-')
    assert client.post(page_url(complaint), {"events-0-summary": "Rewritten"}).status_code == 403
    assert Event.objects.get(pk=event.pk).summary == event.summary


@pytest.mark.parametrize("persona", ["agent", "manager", "superuser"])
def test_nobody_edits_or_deletes_a_sent_letter_through_the_admin(request, persona, customer, agent):
    client = client_for(request.getfixturevalue(persona))
    complaint = due_complaint(customer)
    letter = adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Final.")
    letter.refresh_from_db()
    change_url = reverse("admin:ombudsman_letter_change", args=[letter.pk])

    assertNotContains(client.get(change_url), 'name="_save"')
    assert client.post(change_url, {"text": "Rewritten"}).status_code == 403
    assert client.post(reverse("admin:ombudsman_letter_delete", args=[letter.pk]), {"post": "yes"}).status_code == 403
    assert Letter.objects.get(pk=letter.pk).text == letter.text


def test_an_agent_cannot_take_a_complaint_another_agent_holds(agent_client, complaint, agent, other_agent):
    services.assign_complaint(complaint=complaint, agent=other_agent, actor=other_agent)

    response = post_action(agent_client, complaint, "assign", {"assign-agent": agent.pk})

    assertContains(response, "Only a complaint manager can take a complaint from another agent")
    complaint.refresh_from_db()
    assert complaint.assigned_to == other_agent
    assertNotContains(agent_client.get(page_url(complaint)), 'id="desk-assign-to-me"')


def test_a_manager_can_reassign(manager_client, complaint, agent, other_agent):
    services.assign_complaint(complaint=complaint, agent=other_agent, actor=other_agent)

    post_action(manager_client, complaint, "assign", {"assign-agent": agent.pk})

    complaint.refresh_from_db()
    assert complaint.assigned_to == agent


def test_a_manager_manages_root_causes_and_an_agent_cannot(manager_client, agent_client):
    add_url = reverse("admin:complaints_rootcause_add")

    assert agent_client.post(add_url, {"name": "Agent's idea", "is_active": "on"}).status_code == 403
    response = manager_client.post(add_url, {"name": "Porting delay", "is_active": "on"})

    assert response.status_code == 302
    cause = RootCause.objects.get(name="Porting delay")
    change_url = reverse("admin:complaints_rootcause_change", args=[cause.pk])
    manager_client.post(change_url, {"name": "Porting delay"})
    cause.refresh_from_db()
    assert not cause.is_active
    assert manager_client.get(reverse("admin:complaints_rootcause_delete", args=[cause.pk])).status_code == 403


def test_retired_root_causes_are_not_offered(agent_client, complaint):
    RootCause.objects.filter(name="Billing error").update(is_active=False)

    response = agent_client.get(page_url(complaint))

    assertNotContains(response, "Billing error")
    assertContains(response, "Service outage or fault")


@pytest.mark.parametrize("persona", ["customer", None])
def test_customers_and_strangers_never_reach_the_admin(request, client, persona, complaint):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    urls = [list_url(), page_url(complaint), reverse("admin:complaints_complaint_add"),
            reverse("admin:desk_print_queue"), reverse("admin:index")]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), url
    response = post_action(client, complaint, "acknowledge")
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_a_customer_cannot_log_in_to_the_admin(client, customer):
    from tests.conftest import PASSWORD

    response = client.post(reverse("admin:login"), {"username": customer.email, "password": PASSWORD})

    assert response.status_code == 200
    assertContains(response, "staff account")


def test_outgoing_emails_are_listed_read_only_with_their_status(superuser_client, agent_client, complaint):
    email = complaint.emails.get()

    response = agent_client.get(reverse("admin:complaints_outgoingemail_changelist"))

    assertContains(response, email.subject)
    assertContains(response, "Pending")
    for client in (agent_client, superuser_client):
        assert client.get(reverse("admin:complaints_outgoingemail_add")).status_code == 403
        change_url = reverse("admin:complaints_outgoingemail_change", args=[email.pk])
        assertNotContains(client.get(change_url), 'name="_save"')
        assert client.post(change_url, {"to": "someone@example.com"}).status_code == 403
        assert client.post(reverse("admin:complaints_outgoingemail_delete", args=[email.pk]),
                           {"post": "yes"}).status_code == 403
