"""Sessions kept in the database and read through the shared cache (SESSION_ENGINE with Redis).

Django's ``cached_db`` store writes every session to the database and the cache and reads the
cache first, so a signed-in page costs no query for its session. Two things differ here:

- A cache outage neither signs anyone out nor fails a page: reading falls back to the
  database (as Django's does), and a failed write or delete in the cache is logged.
- The cache keeps a session for at most ``CACHE_SECONDS``, so a session whose deletion the
  cache missed (a log out during an outage) is never honoured for longer than that.
- A deleted session leaves a mark (``DELETED``) in the cache for as long, and a request that
  read the session from the database before it was deleted only adds its copy where there is
  nothing: it cannot bring a logged-out session back.

Only a cache every worker shares may hold sessions: with the per-process cache, a log out
in one worker would leave the session alive in the others. Settings choose this store only
with REDIS_URL.
"""

import logging

from django.contrib.sessions.backends import cached_db

log = logging.getLogger(__name__)

CACHE_SECONDS = 5 * 60
DELETED = "deleted"


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - a cache outage, or a key the cache refuses: read the database
            data = None
        if data == DELETED:
            # As the database store does for a session that is gone: a new one gets a new key.
            self._session_key = None
            return {}
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._keep(data, self.get_expiry_age(expiry=stored.expire_date), replace=False)
        return data

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception:  # noqa: BLE001 - asked when a new key is drawn: the database answers alone
            return super(cached_db.SessionStore, self).exists(session_key)

    def save(self, must_create=False):
        # The database store's save: the cache is written here, for a bounded time.
        super(cached_db.SessionStore, self).save(must_create)
        self._keep(self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        super(cached_db.SessionStore, self).delete(session_key)
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.set(self.cache_key_prefix + session_key, DELETED, CACHE_SECONDS)
        except Exception:  # noqa: BLE001 - the database's row is gone; the cache's copy expires soon
            log.warning("Session cache unreachable: a deleted session stays cached for up to %s s", CACHE_SECONDS,
                        exc_info=True)

    def _keep(self, data, expiry_age, *, replace=True):
        """Put a copy in the cache; with ``replace`` false, only where the cache has nothing (nor a mark)."""
        try:
            (self._cache.set if replace else self._cache.add)(self.cache_key, data, min(expiry_age, CACHE_SECONDS))
        except Exception:  # noqa: BLE001 - the session is in the database; the next request reads it there
            log.warning("Session cache unreachable: session read from the database", exc_info=True)
