"""Whole pages kept for anonymous visitors: the public pages are the same for all of them.

A page is kept under its path, the UK date (the home page quotes today's waiting period), the
code's version, the provider's and regulator's details (set in the environment) and the
version of the schemes and policies it quotes (``DataVersion``, read
from the database on each request, so an edit in the admin shows at once in every process).
A visitor who carries a session or a message (signed in, or just signed out) always gets
the page rendered afresh, and only a plain 200 with no cookies is kept.

Each process also keeps the last page it served for each path, under the same key
(``common.kept_html``'s copy in the process): the key moves with everything that changes the
page, so that copy is as fresh as the shared cache's.
"""

import hashlib
import logging
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from redis import RedisError

import clock
from common.kept_html import keep_in_process, kept_in_process
from ombudsman.models import DataVersion

log = logging.getLogger(__name__)

# The key moves with the date and the data anyway; this only bounds what a cache holds.
KEEP_SECONDS = 24 * 60 * 60
# Cookies that may make a page differ from one visitor to the next.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)

def _key(request):
    # The provider's and the regulator's details come from the environment, not the code.
    details = hashlib.sha256(repr((settings.PROVIDER, settings.REGULATOR, settings.SITE_URL)).encode()).hexdigest()
    return (f"page:{request.path}:{clock.uk_today().isoformat()}:{settings.CODE_VERSION}:{details[:16]}:"
            f"{DataVersion.current()}")


def _keepable(response):
    return response.status_code == 200 and not response.cookies and not getattr(response, "streaming", False)


def same_for_every_visitor(view):
    """Serve the view's page from the cache to anonymous visitors; render it for everyone else."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "GET" or any(name in request.COOKIES for name in PERSONAL_COOKIES):
            return view(request, *args, **kwargs)
        key, page = _key(request), f"page:{request.path}"
        kept = kept_in_process(page, key)
        if kept is not None:
            return HttpResponse(kept)
        try:
            content = cache.get(key)
        except RedisError:
            log.warning("Page cache unreachable: rendering %s", request.path, exc_info=True)
            # A second call to a cache that is down would make the visitor wait for its timeout again.
            content, shared = None, False
        else:
            shared = True
        if content is not None:
            keep_in_process(page, key, content)
            return HttpResponse(content)
        response = view(request, *args, **kwargs)
        if _keepable(response):
            keep_in_process(page, key, response.content)
            if shared:
                try:
                    cache.set(key, response.content, KEEP_SECONDS)
                except RedisError:
                    log.warning("Page cache unreachable: %s not kept", request.path, exc_info=True)
        return response

    return wrapped
