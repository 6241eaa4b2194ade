import pytest
from django.urls import reverse

from tests.conftest import PASSWORD, make_customer

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def test_customer_logs_in_with_email_in_any_case_and_lands_on_their_complaints(client, customer):
    response = client.post(LOGIN, {"username": "Dana.Customer@Example.com", "password": PASSWORD})

    assert response.url == reverse("complaints:mine")
    assert client.session["_auth_user_id"] == str(customer.pk)


def test_login_follows_a_safe_next_address(client, customer):
    response = client.post(LOGIN, {"username": customer.email, "password": PASSWORD, "next": "/complaints/new/"})

    assert response.url == "/complaints/new/"


def test_wrong_password_is_refused(client, customer):
    response = client.post(LOGIN, {"username": customer.email, "password": "not-the-password"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Please enter a correct email address and password" in response.text


@pytest.mark.parametrize("password", [PASSWORD, "anything", "!"])
def test_unclaimed_record_cannot_log_in_with_any_password(client, phone_customer, password):
    assert not phone_customer.has_usable_password()

    response = client.post(LOGIN, {"username": phone_customer.email, "password": password})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Please enter a correct email address and password" in response.text


def test_staff_land_on_the_admin_after_logging_in(client, agent):
    response = client.post(LOGIN, {"username": agent.email, "password": PASSWORD})

    assert response.url == reverse("admin:index")


def test_logout_needs_a_post_and_ends_the_session(client, customer):
    client.force_login(customer)

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.url == reverse("home")
    assert "_auth_user_id" not in client.session


def test_the_logout_button_posts(client, customer):
    client.force_login(customer)

    response = client.get(reverse("accounts:profile"))

    assert f'<form method="post" action="{reverse("accounts:logout")}"' in response.text


@pytest.fixture
def iris(db):
    return make_customer("iris.smith@example.com", "Iris Smith")


def test_an_address_that_only_folds_to_the_customers_does_not_log_in(client, iris):
    # PostgreSQL's case-insensitive match folds a dotless i to the customer's address, while the
    # rate limits count each spelling apart: only the address as stored may log in.
    response = client.post(LOGIN, {"username": "ırıs.smıth@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_address_in_capitals_still_logs_in(client, iris):
    client.post(LOGIN, {"username": " IRIS.SMITH@EXAMPLE.COM ", "password": PASSWORD})

    assert client.session["_auth_user_id"] == str(iris.pk)
