import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import totp
from accounts.models import Authenticator, User
from tests.conftest import PASSWORD

SETUP = reverse("accounts:two_factor_setup")


@pytest.fixture
def phone_customer(db):
    """A customer an agent recorded from a phone call: an email, but no password yet."""
    return User.objects.create_user(email="pat.phone@example.com", full_name="Pat Phone", phone="0113 496 0000")


def signup_data(**overrides):
    """Return a complete, valid sign-up form submission, with any fields replaced."""
    data = {
        "email": "sam.new@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "full_name": "Sam New",
        "phone": "0113 496 0001",
        "address": "2 Park Row\nLeeds",
        "postcode": "ls1 5ab",
        "customer_type": "domestic",
        "business_name": "",
        "business_workers": "",
        "preferred_contact": "email",
        "accessibility_needs": "",
        "vulnerability_notes": "",
        "preferred_format": "standard",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def new_agent(agent):
    """An agent who has never set up an authenticator app."""
    Authenticator.objects.filter(user=agent).delete()
    return agent


def password_login(user):
    """Return a client logged in with the password only, as the log-in form does it."""
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def confirm_setup(client, user, next_url):
    """Open the set-up page and answer it with the code an app holding its key shows now."""
    client.get(SETUP)
    secret = Authenticator.objects.get(user=user).secret
    return client.post(SETUP, {"code": totp.code_at(secret, totp.step_at(timezone.now())), "next": next_url})
