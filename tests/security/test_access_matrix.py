"""Who gets what from every URL: anonymous, the complaint's customer, another customer, agent, manager.

The test walks the urlconf, so a URL added without an entry here (or a reason to leave it
out) fails it. Each cell is the status a GET gets: 200, 403, 404, 405 (a POST-only view), or
a 302 to the page named (the portal's or the admin's login, or somewhere else). POST-only
views are also checked with a POST from each persona who may not act.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from complaints.models import Complaint

ANON, OWNER, OTHER, AGENT, MANAGER = "anonymous", "owner", "other customer", "agent", "manager"
PERSONAS = (ANON, OWNER, OTHER, AGENT, MANAGER)
# A 302 to one of these pages (a URL name) rather than a status.
LOGIN, ADMIN_LOGIN, ADMIN_INDEX = "accounts:login", "admin:login", "admin:index"


def row(anonymous, owner, other, agent, manager):
    return dict(zip(PERSONAS, (anonymous, owner, other, agent, manager), strict=True))


def everyone(expected):
    return row(*[expected] * len(PERSONAS))


CUSTOMER_ONLY = row(LOGIN, 200, 200, ADMIN_INDEX, ADMIN_INDEX)
# Staff read a complaint on the desk, which records that they opened it.
OWNER_STAFF_TO_DESK = row(LOGIN, 200, 404, "admin:complaints_complaint_change", "admin:complaints_complaint_change")
POST_ONLY = everyone(405)
STAFF_ONLY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200)
STAFF_POST_ONLY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 405, 405)
MANAGERS_ONLY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, 200)
NOBODY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, 403)

# Keyed by URL name, or by route for the admin's unnamed patterns.
MATRIX = {
    # Public pages.
    "home": everyone(200),
    "code_of_practice": everyone(200),
    "contact": everyone(200),
    "ombudsman:healthz": everyone(503),  # no sweep has run in the test database
    "complaints:track": everyone(200),
    # Accounts.
    "accounts:login": row(200, "complaints:mine", "complaints:mine", ADMIN_INDEX, ADMIN_INDEX),
    "accounts:logout": POST_ONLY,
    "accounts:signup": row(200, "complaints:mine", "complaints:mine", "complaints:mine", "complaints:mine"),
    "accounts:claim_sent": everyone(200),
    "accounts:profile": CUSTOMER_ONLY,
    "accounts:password_change": row(LOGIN, 200, 200, 200, 200),
    "accounts:password_change_done": row(LOGIN, 200, 200, 200, 200),
    "accounts:password_reset": everyone(200),
    "accounts:password_reset_done": everyone(200),
    "accounts:password_reset_confirm": everyone("accounts:password_reset_confirm"),
    "accounts:password_reset_complete": everyone(200),
    # Staff's second factor: customers have none, so the pages do not exist for them. Staff here
    # are logged in with force_login, which counts as verified: the code page sends them on.
    "accounts:two_factor": row(LOGIN, 404, 404, ADMIN_INDEX, ADMIN_INDEX),
    "accounts:two_factor_setup": row(LOGIN, 404, 404, "accounts:two_factor", "accounts:two_factor"),
    "accounts:two_factor_recovery": row(LOGIN, 404, 404, ADMIN_INDEX, ADMIN_INDEX),
    "accounts:two_factor_recovery_codes": row(LOGIN, 404, 404, 200, 200),
    # The customer's complaints: another customer's are a 404, staff read but do not act.
    "complaints:mine": CUSTOMER_ONLY,
    "complaints:new": CUSTOMER_ONLY,
    "complaints:detail": OWNER_STAFF_TO_DESK,
    "complaints:filed": OWNER_STAFF_TO_DESK,
    "complaints:attachment": row(LOGIN, 200, 404, "admin:desk_attachment", "admin:desk_attachment"),
    "complaints:withdraw": row(LOGIN, 200, 404, 403, 403),
    "complaints:reply": POST_ONLY,
    "complaints:accept_resolution": POST_ONLY,
    "complaints:reject_resolution": POST_ONLY,
    "complaints:request_deadlock_letter": POST_ONLY,
    "ombudsman:refer": OWNER_STAFF_TO_DESK,
    # Staff open letters through the desk's route, which logs who did.
    "ombudsman:letter_pdf": row(LOGIN, 200, 404, "admin:desk_print_pdf", "admin:desk_print_pdf"),
    # Reports: managers only.
    "reports:index": row(LOGIN, 403, 403, 403, 200),
    "reports:download": row(LOGIN, 403, 403, 403, 200),
    # Privacy: the customer's own data; staff go to the admin's subject access requests.
    "privacy:my_data": row(LOGIN, 200, 200, "admin:privacy_subjectaccessrequest_changelist",
                           "admin:privacy_subjectaccessrequest_changelist"),
    "privacy:close_account": CUSTOMER_ONLY,
    "privacy:account_closed": everyone(200),
    # The admin site's own pages.
    "admin:index": STAFF_ONLY,
    "admin:login": row(200, 200, 200, ADMIN_INDEX, ADMIN_INDEX),
    "admin:logout": row(ADMIN_INDEX, ADMIN_INDEX, ADMIN_INDEX, 405, 405),
    "admin:password_change": STAFF_ONLY,
    "admin:password_change_done": STAFF_ONLY,
    "admin:jsi18n": STAFF_ONLY,
    "admin:autocomplete": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, 403),  # no field asked for
    "admin:app_list": STAFF_ONLY,
    "admin:view_on_site": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, "complaints:detail", "complaints:detail"),
    "admin/(?P<url>.*)$": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404, 404),
    # The complaints desk.
    "admin:complaints_complaint_changelist": STAFF_ONLY,
    "admin:complaints_complaint_add": STAFF_ONLY,
    "admin:complaints_complaint_change": STAFF_ONLY,
    "admin:complaints_complaint_delete": NOBODY,
    "admin:complaints_complaint_history": STAFF_ONLY,
    "admin:desk_act": STAFF_POST_ONLY,
    "admin:desk_attachment": STAFF_ONLY,
    "admin:desk_print_queue": STAFF_ONLY,
    "admin:desk_print_pdf": STAFF_ONLY,
    "admin:desk_print_posted": STAFF_POST_ONLY,
    "admin:desk_complaintaccess_changelist": MANAGERS_ONLY,
    "admin:desk_complaintaccess_change": MANAGERS_ONLY,
    "admin:desk_complaintaccess_add": NOBODY,
    "admin:desk_complaintaccess_delete": NOBODY,
    "admin:desk_complaintaccess_history": MANAGERS_ONLY,
    # A representative set of the other models' pages.
    "admin:complaints_outgoingemail_changelist": STAFF_ONLY,
    "admin:complaints_outgoingemail_change": STAFF_ONLY,
    "admin:complaints_rootcause_changelist": STAFF_ONLY,
    "admin:complaints_rootcause_add": MANAGERS_ONLY,
    "admin:accounts_user_changelist": NOBODY,
    "admin:accounts_user_change": NOBODY,
    "admin:auth_group_changelist": NOBODY,
    "admin:ombudsman_letter_changelist": STAFF_ONLY,
    "admin:ombudsman_letter_change": STAFF_ONLY,
    "admin:ombudsman_letter_delete": NOBODY,
    "admin:ombudsman_referral_changelist": STAFF_ONLY,
    "admin:ombudsman_referral_change": STAFF_ONLY,
    "admin:ombudsman_scheme_changelist": STAFF_ONLY,
    "admin:ombudsman_scheme_change": STAFF_ONLY,
    "admin:ombudsman_waitingperiodpolicy_changelist": STAFF_ONLY,
    "admin:ombudsman_sweeprun_changelist": STAFF_ONLY,
    "admin:privacy_subjectaccessrequest_changelist": STAFF_ONLY,
    "admin:privacy_subjectaccessrequest_change": STAFF_ONLY,
    "admin:privacy_subjectaccessrequest_add": STAFF_ONLY,
    "admin:privacy_subjectaccessrequest_export": STAFF_ONLY,
    "admin:privacy_erasure_changelist": STAFF_ONLY,
    "admin:privacy_accountclosure_changelist": STAFF_ONLY,
}

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
}


def walk(patterns, prefix="", namespace=""):
    """Yield (key, route) for every URL pattern: its name with namespace, or else its route."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            yield (f"{namespace}{pattern.name}" if pattern.name else route), route


def all_urls():
    return dict(walk(get_resolver().url_patterns))


def excluded(key):
    return next((reason for pattern, reason in EXCLUDED if re.search(pattern, key)), None)


def url_for(key, world):
    """Reverse a URL with real objects' values for its arguments."""
    complaint = world["complaint"]
    if key == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    by_key = {
        "complaints:attachment": {"tracking_number": complaint.tracking_number, "pk": world["attachment"].pk},
        "ombudsman:letter_pdf": {"tracking_number": complaint.tracking_number, "letter_id": world["letter"].pk},
        "accounts:password_reset_confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(world["customer"].pk)),
            "token": default_token_generator.make_token(world["customer"]),
        },
        "reports:download": {"table": "headline"},
        "admin:app_list": {"app_label": "complaints"},
        "admin:view_on_site": {"content_type_id": ContentType.objects.get_for_model(Complaint).pk,
                               "object_id": complaint.pk},
        "admin:desk_act": {"pk": complaint.pk, "action": "note"},
        "admin:desk_attachment": {"pk": complaint.pk, "attachment_id": world["attachment"].pk},
        "admin:desk_print_pdf": {"source": "letter", "pk": world["letter"].pk},
        "admin:desk_print_posted": {"source": "postal", "pk": world["postal"].pk},
        "admin:privacy_subjectaccessrequest_export": {"pk": world["sar"].pk},
    }
    if key in by_key:
        return reverse(key, kwargs=by_key[key])
    if "<str:tracking_number>" in all_urls()[key]:
        return reverse(key, kwargs={"tracking_number": complaint.tracking_number})
    match = re.fullmatch(r"admin:(\w+?_\w+?)_(change|delete|history)", key)
    if match:
        return reverse(key, args=[world["objects"][match.group(1)]])
    return reverse(key)


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
