"""Who may see the reports: complaint managers (and superusers) only."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.conftest import PASSWORD

PAGES = [reverse("reports:index"), reverse("reports:download", args=["return"])]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", ["customer", "agent", "large_business_customer"])
def test_customers_and_agents_are_refused(client, db, request, url, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_managers_may_see_the_reports(client, manager, url):
    client.force_login(manager)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_superusers_count_as_managers(client, db, url):
    client.force_login(User.objects.create_superuser(email="root@example.com", password=PASSWORD, full_name="Root"))
    assert client.get(url).status_code == 200


def test_a_deactivated_manager_is_sent_to_log_in(client, manager):
    client.force_login(manager)
    manager.is_active = False
    manager.save()
    assert client.get(reverse("reports:index")).status_code == 302


def test_staff_without_the_managers_group_are_refused(client, db):
    staff = User.objects.create_user(email="staff@example.com", password=PASSWORD, full_name="Staff", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("reports:index")).status_code == 403
