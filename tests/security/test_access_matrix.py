"""Check every URL answers each persona as the access matrix (tests/security/matrix.py) says.

The test walks the urlconf, so a URL added without an entry in the matrix (or a reason here to
leave it out) fails it. POST-only views are also checked with a POST from each persona who may
not act.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import Resolver404, resolve

from tests.security.matrix import ADMIN_LOGIN, LOGIN, MATRIX, PERSONAS, all_urls, row, url_for

GENERIC_ADMIN = (
    "Django's generic admin page for a model whose admin adds nothing of its own here; the same "
    "permission checks are covered on the complaint, letter and access log pages above"
)
LEGACY_REDIRECT = "Django's redirect from an old-style change URL to the change page covered above"
# Every admin URL the walk finds that the matrix leaves out, matched by pattern, with why.
EXCLUDED = [
    (r"^admin:\w+_(add|change|changelist|delete|history)$", GENERIC_ADMIN),
    (r"^admin:auth_user_password_change$", "The superuser's form to set another user's password"),
    (r"^admin/\w+/\w+/<path:object_id>/$", LEGACY_REDIRECT),
]

# POST-only views: what a POST from each persona who may not act gets (None: may act, not tried).
POST_REFUSALS = {
    "accounts:logout": None,
    "admin:logout": None,
    "complaints:reply": row(LOGIN, None, 404, 403, 403),
    "complaints:accept_resolution": row(LOGIN, None, 404, 403, 403),
    "complaints:reject_resolution": row(LOGIN, None, 404, 403, 403),
    "complaints:request_deadlock_letter": row(LOGIN, None, 404, 403, 403),
    "admin:desk_act": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, None, None),
    "admin:desk_print_posted": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, None, None),
    "admin:desk_print_all_posted": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, None, None),
    "admin:mailin_act": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, None, None),
}


def excluded(key):
    return next((reason for pattern, reason in EXCLUDED if re.search(pattern, key)), None)


def outcome(response):
    """Say what a response was in the matrix's terms: a status, or the URL name a 302 goes to."""
    if response.status_code != 302:
        return response.status_code
    path = urlsplit(response["Location"]).path
    try:
        return resolve(path).view_name
    except Resolver404:
        return f"302 to {path}"


@pytest.fixture(autouse=True)
def _no_rate_limits_carried():
    cache.clear()


def test_every_url_pattern_has_an_entry_or_a_reason_to_be_left_out():
    missing = [key for key in all_urls() if key not in MATRIX and not excluded(key)]
    stale = [key for key in MATRIX if key not in all_urls()]

    assert missing == [], "Add these URLs to the access matrix"
    assert stale == [], "These matrix entries name no URL any more"


def test_every_url_answers_each_persona_as_the_matrix_says(world):
    wrong = []
    for key, expected in MATRIX.items():
        url = url_for(key, world)
        for persona in PERSONAS:
            response = world["clients"][persona].get(url)
            if outcome(response) != expected[persona]:
                wrong.append(f"{key} {url} as {persona}: expected {expected[persona]}, got {outcome(response)}")

    assert not wrong, "\n".join(wrong)


def test_post_only_views_refuse_those_who_may_not_act(world):
    wrong = []
    for key, refusals in POST_REFUSALS.items():
        assert 405 in MATRIX[key].values(), key
        url = url_for(key, world)
        for persona, expected in (refusals or {}).items():
            if expected is None:
                continue
            response = world["clients"][persona].post(url, {"body": "Let me in", "reason": "Let me in"})
            if outcome(response) != expected:
                wrong.append(f"POST {key} as {persona}: expected {expected}, got {outcome(response)}")

    assert not wrong, "\n".join(wrong)
