"""The staff admin links managers to the reports."""

from django.urls import reverse


def test_managers_find_the_reports_in_the_admin(client, manager):
    client.force_login(manager)
    response = client.get(reverse("admin:index"))
    assert f'<a href="{reverse("reports:index")}">Escalation reports</a>' in response.content.decode()


def test_agents_are_not_shown_the_reports_link(client, agent):
    client.force_login(agent)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("reports:index") not in response.content.decode()
