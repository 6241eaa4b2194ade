"""Personas and shared fixtures. Objects are built explicitly, through the real services."""

import os
import shutil

import pytest
import redis
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts import totp, two_factor
from accounts.models import CustomerType, User
from accounts.roles import COMPLAINT_MANAGERS, SUPPORT_AGENTS
from common import kept_html
from complaints import services
from complaints.models import Category, Product
from ombudsman.models.schemes import Reference

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# there unless told it is safe (it is: the tests are synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery-staple-42"
# Every staff persona's authenticator app holds this secret (base32), so tests can make its codes.
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash personas' passwords cheaply: no test here is about Argon2's cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Keep uploads and the broker of each test in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start each test with an empty cache, so rate limits counted there never carry over.

    What a process keeps goes too (the schemes and policies, and the HTML and pages kept under
    their data version): a flushed database starts that version again, which no production
    database ever does.
    """
    cache.clear()
    Reference.forget()
    kept_html.forget()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """Make Client.force_login also pass a staff member's second factor.

    force_login already skips the password; skipping the TOTP code too is the same kind of
    test shortcut. The gate is not weakened: a session counts as verified only for a
    confirmed authenticator, so staff who have none (a superuser made in a test) are given
    one with STAFF_TOTP_SECRET first. Client.login (with a password) and the log-in pages
    still stop at the second factor: tests/accounts/test_two_factor.py tests the gate that way.
    """
    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        if user.is_staff:
            if two_factor.confirmed_authenticator(user) is None:
                give_authenticator(user)
            session = self.session
            two_factor.mark_verified(session, user)
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_verified)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": ["--disable-gpu", "--disable-quic", "--disable-sync", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"],
    }


def redis_test_url(db):
    """Return the URL of Redis database ``db`` (12 to 15) for this test process.

    Tests flush the databases they use, so each pytest-xdist worker takes four of its own
    (gw0 12-15, gw1 8-11, gw2 4-7) and never empties another's.
    """
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    if not 12 <= db <= 15 or worker > 2:
        raise ValueError(f"No Redis test database {db} for worker {worker}: run at most three workers")
    return f"redis://127.0.0.1:6379/{db - 4 * worker}"


def use_redis_cache(settings, url):
    """Make Redis at ``url`` the cache, as production's REDIS_URL does; skip (or fail, with
    REQUIRE_REDIS set) when it is not running."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        (pytest.fail if os.environ.get("REQUIRE_REDIS") else pytest.skip)("Redis is not running on 127.0.0.1:6379")
    settings.CACHES = {"default": {"BACKEND": "complaints_portal.redis_cache.RedisCache", "LOCATION": url}}


def use_dead_redis_cache(settings):
    """Make the cache a Redis nobody listens on (port 9), as production's cache is in an outage."""
    settings.CACHES = {"default": {"BACKEND": "complaints_portal.redis_cache.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:9/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}


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


def give_authenticator(user):
    """Give a staff member a confirmed authenticator app holding STAFF_TOTP_SECRET."""
    return two_factor.enrol(user=user, secret=STAFF_TOTP_SECRET)


def staff_code(at=None):
    """Return the code a staff persona's authenticator app shows now (or at ``at``)."""
    return totp.code_at(STAFF_TOTP_SECRET, totp.step_at(at or timezone.now()))


def enter_staff_code(page):
    """On the page a staff log in leads to, enter the authenticator's code and go on (Playwright)."""
    page.wait_for_url("**/accounts/two-factor/**")
    page.fill("#id_code", staff_code())
    page.click("main button[type=submit]")


def make_staff(email, full_name, group_name):
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=full_name, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    give_authenticator(user)
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
