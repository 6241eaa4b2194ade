"""Django's Redis cache, keeping one Redis client a connection pool.

Django's client builds a new ``redis.Redis`` for every cache call, and building one sets up
some 170 response callbacks: a third of a millisecond here, as much as the rest of a page
kept whole costs. A ``redis.Redis`` is safe to share between threads (each command takes a
connection from the pool), so one is kept for each pool and used for every call.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
