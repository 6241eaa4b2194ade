"""Signed-in pages read their session from Redis, and a cache outage signs nobody out."""

import pytest
import redis
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints_portal import sessions
from tests.conftest import PASSWORD, redis_test_url, use_dead_redis_cache, use_redis_cache

REDIS_TEST_URL = redis_test_url(13)


@pytest.fixture
def redis_sessions(settings):
    use_redis_cache(settings, REDIS_TEST_URL)
    settings.SESSION_ENGINE = "complaints_portal.sessions"
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()


def signed_in(client, customer):
    assert client.login(email=customer.email, password=PASSWORD)
    return client


def session_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("complaints:mine"))
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries if "django_session" in query["sql"]]


def test_a_signed_in_page_reads_its_session_from_the_cache(client, customer, redis_sessions):
    signed_in(client, customer)

    assert session_queries(client) == []
    assert Session.objects.filter(session_key=client.session.session_key).exists()


def test_a_session_only_in_the_database_is_read_there_once_then_kept(client, customer, redis_sessions):
    signed_in(client, customer)
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()

    assert len(session_queries(client)) == 1
    assert session_queries(client) == []


def test_the_cache_keeps_a_session_for_five_minutes_at_most(client, customer, redis_sessions):
    signed_in(client, customer)
    key = sessions.SessionStore.cache_key_prefix + client.session.session_key

    ttls = [ttl for ttl in (redis.Redis.from_url(REDIS_TEST_URL).ttl(name) for name in
                            redis.Redis.from_url(REDIS_TEST_URL).keys(f"*{key}")) if ttl > 0]

    assert ttls and max(ttls) <= sessions.CACHE_SECONDS


def test_logging_out_ends_the_session_the_cache_held(client, customer, redis_sessions):
    signed_in(client, customer)
    session_queries(client)
    cookie = client.cookies["sessionid"].value

    client.post(reverse("accounts:logout"))
    client.cookies["sessionid"] = cookie

    assert client.get(reverse("complaints:mine")).status_code == 302


def test_with_the_cache_down_customers_still_log_in_read_their_pages_and_log_out(client, customer, redis_sessions,
                                                                                 settings):
    use_dead_redis_cache(settings)

    signed_in(client, customer)
    assert len(session_queries(client)) == 1
    client.post(reverse("accounts:logout"))

    assert client.get(reverse("complaints:mine")).status_code == 302
    assert not Session.objects.exists()


def test_a_copy_read_before_a_log_out_cannot_bring_the_session_back(client, customer, redis_sessions):
    signed_in(client, customer)
    key = client.session.session_key
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    slow = sessions.SessionStore(key)
    read_before = slow.decode(slow._get_session_from_db().session_data)  # a request reads the row ...

    client.post(reverse("accounts:logout"))  # ... another logs out ...
    slow._keep(read_before, 300, replace=False)  # ... and the first puts back what it read.

    assert sessions.SessionStore(key).load() == {}
    client.cookies["sessionid"] = key
    assert client.get(reverse("complaints:mine")).status_code == 302
