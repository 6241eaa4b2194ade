"""Personas and shared fixtures. Objects are built explicitly, through the real services."""

import os
import shutil

import pytest
from django.contrib.auth.models import Group

from accounts.models import CustomerType, User
from accounts.roles import COMPLAINT_MANAGERS, SUPPORT_AGENTS
from complaints import services
from complaints.models import Category, Product

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# there unless told it is safe (it is: the tests are synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash personas' passwords cheaply: no test here is about Argon2's cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Keep uploads and the broker of each test in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": ["--disable-gpu", "--disable-quic", "--disable-sync", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"],
    }


def make_customer(email, full_name, **fields):
    return User.objects.create_user(email=email, password=PASSWORD, full_name=full_name, **fields)


@pytest.fixture
def customer(db):
    return make_customer("dana.customer@example.com", "Dana Customer", phone="07700 900001",
                         address="1 High Street\nLeeds", postcode="LS1 1AA")


@pytest.fixture
def other_customer(db):
    return make_customer("olly.other@example.com", "Olly Other")


@pytest.fixture
def large_business_customer(db):
    return make_customer("ops@bigco.example.com", "Big Co Operations",
                         customer_type=CustomerType.BUSINESS, business_name="Big Co", business_workers=250)


def make_staff(email, full_name, group_name):
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=full_name, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def agent(db):
    return make_staff("alex.agent@example.com", "Alex Agent", SUPPORT_AGENTS)


@pytest.fixture
def manager(db):
    return make_staff("morgan.manager@example.com", "Morgan Manager", COMPLAINT_MANAGERS)


def file_complaint(customer, **overrides):
    fields = dict(
        customer=customer, product=Product.GOTOMEETING, category=Category.SERVICE_FAULT,
        description="Meetings drop after ten minutes.", desired_outcome="Fix it and refund a month.",
    )
    fields.update(overrides)
    return services.file_complaint(**fields)


@pytest.fixture
def complaint(customer):
    return file_complaint(customer)


def pytest_collection_modifyitems(items):
    """Give every transactional test the rows migrations created (groups, schemes, policies)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
        if (transactional or "live_server" in item.fixturenames) and \
                "django_db_serialized_rollback" not in item.fixturenames:
            item.fixturenames.append("django_db_serialized_rollback")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Share the serialized migration rows with every connection object.

    Playwright's event loop makes Django open new connection objects that lack
    _test_serialized_contents; a class attribute reaches them all.
    """
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents
