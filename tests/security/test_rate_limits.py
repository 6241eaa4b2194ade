"""Log in, sign up, password reset, tracking and copies of the Code of Practice refuse floods of POSTs."""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from complaints.models import OutgoingEmail
from complaints_portal.ratelimit import client_ip
from tests.accounts.conftest import signup_data
from tests.conftest import PASSWORD, redis_test_url, use_dead_redis_cache, use_redis_cache

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")
SIGNUP = reverse("accounts:signup")
RESET = reverse("accounts:password_reset")
TRACK = reverse("complaints:track")
CODE = reverse("code_of_practice")
REDIS_TEST_URL = redis_test_url(12)
# 10:05 UTC in June is 11:05 in the UK; a 15-minute window started at 10:00 UTC ends at 11:15 UK time.
SUMMER_MORNING = datetime(2027, 6, 1, 10, 5, tzinfo=UTC)


@pytest.fixture
def limits(settings):
    """Set a scope's limits for the test: ``limits("login", per_ip=3)``."""

    def set_limits(scope, window=15 * 60, **per):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: {"window": window, **per}}

    return set_limits


@pytest.fixture(params=["memory", "redis"])
def any_cache(request, settings):
    """Count in the default memory cache, then in Redis (a test database of its own) as production does."""
    if request.param == "redis":
        use_redis_cache(settings, REDIS_TEST_URL)
    cache.clear()
    yield
    cache.clear()


def log_in(client, email, password="not-the-password", ip="203.0.113.7", url=LOGIN):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=ip)


def assert_refused(response, attempts):
    assert response.status_code == 429
    assert f"We have had too many {attempts}" in response.text
    assert "We did not process what you sent" in response.text
    assert int(response["Retry-After"]) > 0


def test_the_attempt_after_the_limit_for_one_account_is_refused_even_with_the_right_password(
        client, customer, limits, any_cache):
    limits("login", per_ip_account=3, per_account=100, per_ip=100)
    for _ in range(3):
        assert log_in(client, customer.email).status_code == 200

    response = log_in(client, customer.email, PASSWORD)

    assert_refused(response, "attempts to log in")
    assert "_auth_user_id" not in client.session


def test_the_refusal_says_when_to_try_again_in_uk_time(client, customer, limits):
    limits("login", per_ip_account=1, per_account=100, per_ip=100)
    with time_machine.travel(SUMMER_MORNING, tick=False):
        log_in(client, customer.email)
        response = log_in(client, customer.email)

    assert response["Retry-After"] == str(10 * 60)
    assert "Please try again after <strong>11:15</strong> UK time" in response.text
    assert "(in 10 minutes)" in response.text
    assert "no-store" in response["Cache-Control"]


def test_a_guess_at_one_account_spread_over_many_addresses_is_refused(client, customer, limits):
    limits("login", per_ip_account=100, per_account=5, per_ip=100)
    for n in range(5):
        assert log_in(client, customer.email, ip=f"198.51.100.{n}").status_code == 200

    response = log_in(client, customer.email.upper(), PASSWORD, ip="198.51.100.99")

    assert_refused(response, "attempts to log in")


def test_guesses_at_many_accounts_from_one_address_are_refused(client, limits):
    limits("login", per_ip_account=100, per_account=100, per_ip=4)
    for n in range(4):
        assert log_in(client, f"someone{n}@example.com").status_code == 200

    assert_refused(log_in(client, "someone.else@example.com"), "attempts to log in")


def test_another_address_is_not_blocked(client, customer, other_customer, limits):
    limits("login", per_ip_account=100, per_account=100, per_ip=2)
    for _ in range(3):
        log_in(client, "guess@example.com", ip="203.0.113.7")

    response = log_in(client, other_customer.email, PASSWORD, ip="203.0.113.8")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other_customer.pk)


def test_the_customer_gets_in_again_once_the_window_has_passed(client, customer, limits, any_cache):
    limits("login", window=15 * 60, per_ip_account=2, per_account=100, per_ip=100)
    with time_machine.travel(SUMMER_MORNING, tick=False) as traveller:
        for _ in range(3):
            log_in(client, customer.email)
        assert log_in(client, customer.email, PASSWORD).status_code == 429

        traveller.move_to(SUMMER_MORNING + timedelta(minutes=10))
        response = log_in(client, customer.email, PASSWORD)
        # Read the session while it is still that summer: it lasts two weeks from the log in.
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(customer.pk)


def test_every_spelling_that_reaches_an_account_counts_against_it(client, customer, limits):
    # The log-in form reads "ſ" (long s) as "s" (Unicode NFKC): the same account, the same count.
    limits("login", per_ip_account=100, per_account=2, per_ip=100)
    log_in(client, customer.email)
    log_in(client, customer.email.replace("s", "ſ"))

    assert log_in(client, customer.email.upper(), PASSWORD).status_code == 429


def test_log_in_still_works_while_the_cache_is_down(client, customer, settings, caplog):
    use_dead_redis_cache(settings)

    response = log_in(client, customer.email, PASSWORD)

    assert response.status_code == 302
    assert "Rate limit login not counted: the cache is unavailable" in caplog.text


def test_a_successful_log_in_below_the_limit_is_unaffected(client, customer, limits):
    limits("login", per_ip_account=3, per_account=3, per_ip=3)
    for _ in range(2):
        log_in(client, customer.email)

    response = log_in(client, customer.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(customer.pk)


def test_only_posts_count_towards_the_limit(client, customer, limits):
    limits("login", per_ip_account=1, per_account=1, per_ip=1)
    for _ in range(5):
        assert client.get(LOGIN).status_code == 200

    assert log_in(client, customer.email, PASSWORD).status_code == 302


def test_the_admin_log_in_shares_the_limit_of_the_portal_log_in(client, agent, limits):
    limits("login", per_ip_account=3, per_account=100, per_ip=100)
    log_in(client, agent.email)
    log_in(client, agent.email, url=ADMIN_LOGIN)
    log_in(client, agent.email, url=ADMIN_LOGIN)

    response = log_in(client, agent.email, PASSWORD, url=ADMIN_LOGIN)

    assert_refused(response, "attempts to log in")
    assert "_auth_user_id" not in client.session


def test_sign_ups_from_one_address_are_limited_and_the_refused_one_creates_no_account(
        client, django_user_model, limits):
    limits("signup", window=3600, per_ip=2, per_account=100)
    for n in range(2):
        client.post(SIGNUP, signup_data(email=f"new{n}@example.com"), REMOTE_ADDR="203.0.113.7")
        client.logout()

    response = client.post(SIGNUP, signup_data(email="new2@example.com"), REMOTE_ADDR="203.0.113.7")

    assert_refused(response, "attempts to sign up")
    assert not django_user_model.objects.filter(email="new2@example.com").exists()


def test_password_reset_emails_to_one_address_are_limited(client, customer, limits):
    limits("password_reset", window=3600, per_ip=100, per_account=2)
    for n in range(2):
        client.post(RESET, {"email": customer.email}, REMOTE_ADDR=f"198.51.100.{n}")
    sent = len(mail.outbox)

    response = client.post(RESET, {"email": customer.email}, REMOTE_ADDR="198.51.100.9")

    assert_refused(response, "requests to reset a password")
    assert len(mail.outbox) == sent


def test_tracking_look_ups_are_limited_per_address(client, complaint, customer, limits):
    limits("track", per_ip=3)
    lookup = {"tracking_number": complaint.tracking_number, "email": customer.email}
    for _ in range(3):
        assert client.post(TRACK, lookup, REMOTE_ADDR="203.0.113.7").status_code == 200

    refused = client.post(TRACK, lookup, REMOTE_ADDR="203.0.113.7")
    elsewhere = client.post(TRACK, lookup, REMOTE_ADDR="203.0.113.8")

    assert_refused(refused, "attempts to track a complaint")
    assert complaint.tracking_number not in refused.text
    assert elsewhere.status_code == 200 and complaint.tracking_number in elsewhere.text


def test_copies_of_the_code_of_practice_asked_for_from_one_address_are_limited(client, limits):
    limits("code_copy", window=3600, per_ip=2)
    for n in range(2):
        client.post(CODE, {"email": f"reader{n}@example.com"}, REMOTE_ADDR="203.0.113.7")

    refused = client.post(CODE, {"email": "reader2@example.com"}, REMOTE_ADDR="203.0.113.7")
    elsewhere = client.post(CODE, {"email": "reader3@example.com"}, REMOTE_ADDR="203.0.113.8")

    assert_refused(refused, "requests for a copy of the Code of Practice")
    assert elsewhere.status_code == 302
    assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == [
        "reader0@example.com", "reader1@example.com", "reader3@example.com"]


def test_the_refusal_page_is_the_portal_s_own_page(client, limits):
    limits("track", per_ip=0)

    response = client.post(TRACK, {"tracking_number": "x", "email": "x@example.com"})

    assert response.status_code == 429
    assert "<title>Too many attempts |" in response.text
    assert 'href="/contact/"' in response.text


def rate_limit_settings(**env):
    """Return RATE_LIMITS and RATE_LIMIT_TRUSTED_PROXIES as a fresh process with only ``env`` reads them."""
    code = ("import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps([settings.RATE_LIMITS, settings.RATE_LIMIT_TRUSTED_PROXIES]))")
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                            env={"DJANGO_SETTINGS_MODULE": "complaints_portal.settings", **env},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_limits_and_the_trusted_proxies_come_from_the_environment():
    limits, proxies = rate_limit_settings(RATE_LIMIT_LOGIN_PER_IP="500", RATE_LIMIT_LOGIN_WINDOW="60",
                                          RATE_LIMIT_TRACK_PER_IP="7", RATE_LIMIT_TRUSTED_PROXIES="2")

    assert limits["login"] == {"window": 60, "per_ip": 500, "per_ip_account": 10, "per_account": 30}
    assert limits["track"] == {"window": 15 * 60, "per_ip": 7}
    assert proxies == 2


def test_production_trusts_one_proxy_and_development_none_unless_told():
    production = {"PORTAL_ENV": "production", "SECRET_KEY": "k" * 64, "ALLOWED_HOSTS": "portal.example.com"}

    assert rate_limit_settings()[1] == 0
    assert rate_limit_settings(**production)[1] == 1
    assert rate_limit_settings(**production, RATE_LIMIT_TRUSTED_PROXIES="0")[1] == 0


def request_from(remote_addr, forwarded=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **headers)


def test_a_forged_forwarded_for_header_is_ignored_without_trusted_proxies(settings):
    settings.RATE_LIMIT_TRUSTED_PROXIES = 0

    assert client_ip(request_from("203.0.113.7", "192.0.2.1")) == "203.0.113.7"


@pytest.mark.parametrize(("proxies", "forwarded", "client"), [
    (1, "203.0.113.7", "203.0.113.7"),
    (1, "192.0.2.1, 203.0.113.7", "203.0.113.7"),
    (2, "192.0.2.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
])
def test_behind_trusted_proxies_the_client_is_the_right_most_address_they_did_not_add(
        settings, proxies, forwarded, client):
    settings.RATE_LIMIT_TRUSTED_PROXIES = proxies

    assert client_ip(request_from("10.0.0.1", forwarded)) == client


@pytest.mark.parametrize(("proxies", "forwarded"), [(2, "203.0.113.7"), (1, ""), (1, "not-an-address")])
def test_a_short_or_garbled_forwarded_for_falls_back_to_the_connection(settings, proxies, forwarded):
    settings.RATE_LIMIT_TRUSTED_PROXIES = proxies

    assert client_ip(request_from("10.0.0.1", forwarded)) == "10.0.0.1"


def test_ipv6_clients_are_counted_by_their_64_block(settings):
    settings.RATE_LIMIT_TRUSTED_PROXIES = 0

    assert client_ip(request_from("2001:db8:1:2:aaaa::1")) == client_ip(request_from("2001:db8:1:2:bbbb::9"))
    assert client_ip(request_from("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_ip(request_from("::ffff:203.0.113.7")) == "203.0.113.7"
