"""HTML rendered once and kept in the cache under all it depends on, rendered afresh without the cache.

Each process also keeps the last HTML it read or rendered under each name, with its key: as
the key holds all the HTML depends on, that copy is as fresh as the cache's, and serving it
saves the cache's round trip (and serves it while the cache is down).
"""

import hashlib
import logging

from django.core.cache import cache
from redis import RedisError

log = logging.getLogger(__name__)

# Name -> (key, HTML). One entry a name, so it stays as small as the set of names.
_in_process = {}


def forget():
    """Drop what this process keeps (tests: a flushed database starts data versions again)."""
    _in_process.clear()


def kept_in_process(name, key):
    """Return what this process keeps under ``name`` if it was kept with ``key``, else None."""
    kept = _in_process.get(name)
    return kept[1] if kept is not None and kept[0] == key else None


def keep_in_process(name, key, html):
    _in_process[name] = (key, html)


def kept_html(name, depends_on, seconds, render):
    """Return ``render()``'s HTML, kept for ``seconds`` under ``name`` and a hash of ``depends_on``.

    ``depends_on`` must hold everything the HTML shows, read afresh on each call: a change to
    any of it is a new key, so what is kept is never stale. A cache that fails costs only the
    rendering.
    """
    key = f"{name}:{hashlib.sha256(repr(depends_on).encode()).hexdigest()}"
    html = kept_in_process(name, key)
    if html is not None:
        return html
    try:
        html = cache.get(key)
    except RedisError:
        log.warning("%s not read from the cache: it is unavailable", name, exc_info=True)
        html = render()
    else:
        if html is None:
            html = render()
            try:
                cache.set(key, html, seconds)
            except RedisError:
                log.warning("%s not kept: the cache is unavailable", name, exc_info=True)
    keep_in_process(name, key, html)
    return html
