"""Fixtures for the complaints desk: logged-in staff clients and complaints in given states."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import SUPPORT_AGENTS
from complaints.models import RootCause
from tests.conftest import PASSWORD, file_complaint, make_staff


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agent_client(agent):
    return client_for(agent)


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.com", password=PASSWORD, full_name="Root User")


@pytest.fixture
def superuser_client(superuser):
    return client_for(superuser)


@pytest.fixture
def customer_client(customer):
    return client_for(customer)


@pytest.fixture
def other_agent(db):
    return make_staff("bea.agent@example.com", "Bea Agent", SUPPORT_AGENTS)


@pytest.fixture
def root_cause(db):
    return RootCause.objects.filter(is_active=True).first()


def page_url(complaint):
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def act_url(complaint, action):
    return reverse("admin:desk_act", args=[complaint.pk, action])


def list_url():
    return reverse("admin:complaints_complaint_changelist")


def due_complaint(customer, days_ago=60, **overrides):
    """A complaint received long enough ago that ADR has opened."""
    return file_complaint(customer, received_at=timezone.now() - timedelta(days=days_ago), **overrides)


def latest_event_id(complaint):
    return complaint.events.order_by("-id").values_list("id", flat=True).first() or 0


def post_action(client, complaint, action, data=None, **kwargs):
    """Post an action as the complaint's page does, from a page showing its latest event."""
    return client.post(act_url(complaint, action), {"seen_event": latest_event_id(complaint), **(data or {})},
                       **kwargs)
