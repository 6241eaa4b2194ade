"""HTML rendered once and kept in the cache under all it depends on, rendered afresh without the cache."""

import hashlib
import logging

from django.core.cache import cache
from redis import RedisError

log = logging.getLogger(__name__)


def kept_html(name, depends_on, seconds, render):
    """Return ``render()``'s HTML, kept for ``seconds`` under ``name`` and a hash of ``depends_on``.

    ``depends_on`` must hold everything the HTML shows, read afresh on each call: a change to
    any of it is a new key, so what is kept is never stale. A cache that fails costs only the
    rendering.
    """
    key = f"{name}:{hashlib.sha256(repr(depends_on).encode()).hexdigest()}"
    try:
        html = cache.get(key)
    except RedisError:
        log.warning("%s not read from the cache: it is unavailable", name, exc_info=True)
        return render()
    if html is None:
        html = render()
        try:
            cache.set(key, html, seconds)
        except RedisError:
            log.warning("%s not kept: the cache is unavailable", name, exc_info=True)
    return html
