"""Rate limits on the forms that can be used to guess or to flood.

They cover log in (the portal's and the admin's), sign up, password reset, tracking a complaint
and the Code of Practice's copy by email. Attempts are counted in Django's cache in fixed windows
(``settings.RATE_LIMITS``). With REDIS_URL all web processes share the counts; the default memory
cache counts in each process apart, so with several processes a client gets that many times the
limit.
"""

import ipaddress
import logging
import math
import time
import unicodedata
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import salted_hmac
from redis import RedisError

logger = logging.getLogger(__name__)

# What the 429 page says there were too many of.
ATTEMPTS = {
    "login": "attempts to log in",
    "signup": "attempts to sign up",
    "password_reset": "requests to reset a password",
    "track": "attempts to track a complaint",
    "code_copy": "requests for a copy of the Code of Practice",
}


def client_ip(request):
    """Return the client's address; IPv6 clients by their /64, which one client usually holds whole.

    Each of the ``RATE_LIMIT_TRUSTED_PROXIES`` proxies appends to X-Forwarded-For the address it
    received the request from, so the entry that many places from the right is the one the first
    proxy saw: the client. Entries further left are whatever the client sent, so never trusted.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.RATE_LIMIT_TRUSTED_PROXIES
    if proxies:
        forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        # A proxy that writes something else is misconfigured: count by the connection instead.
        return request.META.get("REMOTE_ADDR", "")
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def posted(field):
    """Return a function that reads the account an attempt names from the POSTed ``field``."""
    return lambda request: request.POST.get(field, "")


def rate_limit(scope, *, account=None):
    """Refuse a view's POSTs with a 429 page once the limits of ``scope`` are used up.

    ``account`` (for example ``posted("username")``) names the account an attempt is aimed at,
    so attempts are also counted per account, whichever address they come from. A refused
    attempt never reaches the view: the form is not processed.
    """

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.method == "POST":
                try:
                    wait = _count_attempt(request, scope, account(request) if account else "")
                except RedisError:
                    # Customers must still be able to log in and complain while the cache is down.
                    logger.exception("Rate limit %s not counted: the cache is unavailable", scope)
                    wait = 0
                if wait:
                    return too_many_attempts(request, scope, wait)
            return view(request, *args, **kwargs)

        return limited

    return decorator


def _count_attempt(request, scope, account):
    """Count one attempt against each of the scope's limits; return the seconds to wait, or 0."""
    limits = settings.RATE_LIMITS[scope]
    window = limits["window"]
    now = time.time()
    ip = client_ip(request)
    keys = {"per_ip": ip}
    # As the log-in form reads an address (NFKC, so "ſ" is "s"), so that every spelling that
    # reaches one account counts against it.
    account = unicodedata.normalize("NFKC", account).strip().lower()
    if account:
        # Keyed by a keyed hash: the cache never holds the email addresses people typed.
        digest = salted_hmac("ratelimit", account).hexdigest()[:32]
        keys.update(per_account=digest, per_ip_account=f"{ip}|{digest}")
    exceeded = False
    for kind, identity in keys.items():
        if kind not in limits:
            continue
        count = _hit(f"ratelimit:{scope}:{kind}:{identity}:{int(now // window)}", window)
        if count == limits[kind] + 1:
            logger.warning("Rate limit %s %s reached by %s", scope, kind, ip)
        exceeded = exceeded or count > limits[kind]
    return math.ceil(window - now % window) if exceeded else 0


def _hit(key, window):
    """Add one to the counter at ``key`` (created for one window) and return it."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:
        # The counter expired between add and incr: this attempt starts the next one.
        cache.set(key, 1, timeout=window)
        return 1


def too_many_attempts(request, scope, wait):
    """Render the 429 page: what was refused, and when to try again."""
    response = render(request, "429.html", {
        "attempts": ATTEMPTS[scope],
        "retry_at": timezone.now() + timedelta(seconds=wait),
        "minutes": math.ceil(wait / 60),
    }, status=429)
    response["Retry-After"] = str(wait)
    add_never_cache_headers(response)
    return response
