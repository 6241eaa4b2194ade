"""The Redis cache keeps one client and its connections across calls, and outlives dropped connections."""

import pytest
from django.core.cache import cache

from tests.conftest import redis_test_url, use_redis_cache

REDIS_TEST_URL = redis_test_url(13)


@pytest.fixture
def redis_cache(settings):
    use_redis_cache(settings, REDIS_TEST_URL)
    cache.clear()
    yield cache
    cache.clear()


def test_every_call_shares_one_client_and_its_connections(redis_cache):
    redis_cache.set("greeting", "hello", 60)

    assert redis_cache.get("greeting") == "hello"
    assert redis_cache._cache.get_client() is redis_cache._cache.get_client(write=True)


def test_the_cache_reconnects_after_its_connections_drop(redis_cache):
    redis_cache.set("greeting", "hello", 60)
    redis_cache._cache.get_client().connection_pool.disconnect()

    assert redis_cache.get("greeting") == "hello"
