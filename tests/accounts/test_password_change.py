"""Changing a password: staff must pass the second factor first; the passwords never reach error reports."""

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from accounts import views
from accounts.two_factor import verify_url
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase 42"


def change(client):
    return client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })


def test_staff_with_only_their_password_are_sent_to_the_second_factor_and_keep_their_password(client, agent):
    assert client.login(username=agent.email, password=PASSWORD)

    response = change(client)

    agent.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == verify_url(reverse("accounts:password_change"))
    assert check_password(PASSWORD, agent.password)


def test_staff_past_the_second_factor_change_their_password(client, agent):
    client.force_login(agent)  # verified: see tests/conftest.py

    response = change(client)

    agent.refresh_from_db()
    assert response["Location"] == reverse("accounts:password_change_done")
    assert check_password(NEW_PASSWORD, agent.password)


def test_customers_change_their_password_without_a_second_factor(client, customer):
    assert client.login(username=customer.email, password=PASSWORD)

    change(client)

    customer.refresh_from_db()
    assert check_password(NEW_PASSWORD, customer.password)


def test_the_passwords_are_hidden_from_error_reports_before_the_gate_runs(rf, agent, monkeypatch):
    def fail(request):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(views.two_factor, "is_verified", fail)
    request = rf.post(reverse("accounts:password_change"), {"old_password": PASSWORD})
    request.user = agent
    request.session = {}

    with pytest.raises(RuntimeError):
        views.PasswordChangeView.as_view()(request)

    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleaned["old_password"] != PASSWORD
