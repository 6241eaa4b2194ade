"""Every form takes random and malicious text without a server error, and never echoes it unescaped.

Hypothesis throws HTML and script tags, SQL fragments, control characters (NUL included),
very long strings, bidirectional marks and odd unicode at each form. A server error raises
in the test client; a payload that looks like markup must never come back verbatim.

Examples share their test's fixtures (the function-scoped health check is off on purpose):
each form's state may drift as examples submit it (a complaint gets resolved, a user signs
up), which is more hostile input, not less. The rate limits' counts are cleared before
each example so that no form turns into its 429 page.
"""

import os
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from complaints import services
from complaints.models import RootCause
from desk.complaint_page import ACTIONS
from privacy import services as privacy_services
from privacy.models import SubjectAccessRequest
from tests.conftest import file_complaint

MARK = "xss_marker"
NASTY = [
    f"<script>{MARK}()</script>",
    f'"><img src=x onerror={MARK}()>',
    f"'><svg onload={MARK}()>",
    f"javascript:{MARK}()//",
    f"</textarea><script>{MARK}()</script>",
    "'; DROP TABLE complaints_complaint; --",
    "' OR '1'='1' --",
    "1); DELETE FROM accounts_user WHERE (1=1",
    "%' UNION SELECT password FROM accounts_user --",
    "\x00", "a\x00b", "\x1b[31m\x07\x08\x7f", "\r\nSet-Cookie: pwned=1",
    "\u202eevil.pdf\u202c", "\u200f\u200e\u2066\u2069", "\ufeff\u200b", "Z\u0351\u0358\u0362a\u035dl\u0336g\u0489o",
    "{{ settings.SECRET_KEY }}", "{% debug %}", "%s%s%n%x", "../../../../etc/passwd",
    "\U0001f600" * 40, "\uffff\ufffe\ue000", "A" * 20_000, "<" * 5_000, "LMI-0000-0000",
    "someone@example.com", "2026-02-30", "-1", "9" * 40, "1e309", "\u00b2", "\u0663", "\uff11",
]
_text = st.text(max_size=120)  # any code point but surrogates: controls, NUL, marks, emoji
PAYLOADS = st.one_of(
    _text,
    st.sampled_from(NASTY),
    st.tuples(_text, st.sampled_from(NASTY), _text).map("".join),
)
# Raw markup that only an unescaped payload can put in a page.
RAW_MARKERS = [f"<script>{MARK}", f"<img src=x onerror={MARK}", f"<svg onload={MARK}", f'href="javascript:{MARK}']
LOOKS_LIKE_MARKUP = re.compile(r"<[A-Za-z/!]")

# The same examples on every run, so CI never fails on a chance find that nobody can
# reproduce; HYPOTHESIS_EXPLORE=1 searches with fresh random examples instead.
FUZZ = settings(max_examples=30, deadline=None, database=None,
                derandomize=not os.environ.get("HYPOTHESIS_EXPLORE"),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def check(response, payload):
    """No server error, and the payload comes back escaped if at all."""
    assert response.status_code < 500
    if response.streaming or "html" not in response.get("Content-Type", ""):
        return
    body = response.content.decode()
    for marker in RAW_MARKERS:
        assert marker not in body
    if len(payload) >= 12 and LOOKS_LIKE_MARKUP.search(payload):
        assert payload not in body


def submit(client, method, url, data, payload, **extra):
    cache.clear()
    response = getattr(client, method)(url, data, **extra)
    check(response, payload)
    return response


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def upload(payload):
    return SimpleUploadedFile(f"{payload[:200]}.pdf", PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def scene(customer, agent, manager):
    """A customer's complaint past its waiting period, with a proposal, and a client for each role."""
    complaint = file_complaint(customer, received_at=timezone.now() - timedelta(days=60))
    services.propose_resolution(
        complaint=complaint, agent=agent, proposal="A month's refund.", upheld="upheld",
        root_cause=RootCause.objects.filter(is_active=True).first(), apology=True, explanation=False,
        credit_amount=0, refund_amount=0,
    )
    return {"complaint": complaint, "number": complaint.tracking_number, "customer": logged_in(customer),
            "agent": logged_in(agent), "manager": logged_in(manager), "anonymous": Client()}


def customer_details(payload, **extra):
    """The sign-up and profile fields, every free-text one hostile, the choices valid."""
    return {"full_name": payload, "phone": payload, "address": payload, "postcode": payload,
            "customer_type": "business", "business_name": payload, "business_workers": payload,
            "preferred_contact": "email", "accessibility_needs": payload, "vulnerable": "on",
            "vulnerability_notes": payload, "preferred_format": "standard", "support_consent": "on", **extra}


# --- The public and account forms ----------------------------------------------------------


@FUZZ
@given(payload=PAYLOADS, valid_email=st.booleans())
def test_sign_up(db, payload, valid_email):
    email = "new.customer@example.com" if valid_email else payload
    submit(Client(), "post", reverse("accounts:signup"),
           customer_details(payload, email=email, password1=payload, password2=payload), payload)


@FUZZ
@given(payload=PAYLOADS)
def test_log_in_to_the_portal_and_the_admin(db, payload):
    for name in ("accounts:login", "admin:login"):
        submit(Client(), "post", reverse(name), {"username": payload, "password": payload, "next": payload}, payload)


@FUZZ
@given(payload=PAYLOADS)
def test_profile(customer, payload):
    submit(logged_in(customer), "post", reverse("accounts:profile"), customer_details(payload), payload)


@FUZZ
@given(payload=PAYLOADS)
def test_password_reset_change_and_set(customer, payload):
    client = logged_in(customer)
    submit(Client(), "post", reverse("accounts:password_reset"), {"email": payload}, payload)
    submit(client, "post", reverse("accounts:password_change"),
           {"old_password": payload, "new_password1": payload, "new_password2": payload}, payload)


@FUZZ
@given(payload=PAYLOADS)
def test_track_a_complaint(scene, payload):
    for email in (payload, "dana.customer@example.com"):
        submit(Client(), "post", reverse("complaints:track"), {"tracking_number": payload, "email": email}, payload)


@FUZZ
@given(payload=PAYLOADS)
def test_ask_for_a_copy_of_the_code_of_practice(db, payload):
    submit(Client(), "post", reverse("code_of_practice"), {"email": payload}, payload)


# --- The customer's complaint forms ----------------------------------------------------------


@FUZZ
@given(payload=PAYLOADS, with_file=st.booleans(), category=st.sampled_from(["billing_discrepancy", "service_fault"]))
def test_new_complaint_with_and_without_an_upload(customer, payload, with_file, category):
    data = {"product": "gotomeeting", "category": category, "description": payload, "desired_outcome": payload,
            "statement_date": payload}
    if with_file:
        data["attachments"] = upload(payload)
    response = submit(logged_in(customer), "post", reverse("complaints:new"), data, payload)
    if response.status_code == 302:
        check(logged_in(customer).get(response["Location"], follow=True), payload)


@FUZZ
@given(payload=PAYLOADS, with_file=st.booleans())
def test_reply_with_and_without_an_upload(scene, payload, with_file):
    data = {"body": payload, **({"attachments": upload(payload)} if with_file else {})}
    submit(scene["customer"], "post", reverse("complaints:reply", args=[scene["number"]]), data, payload)
    check(scene["customer"].get(reverse("complaints:detail", args=[scene["number"]])), payload)


@FUZZ
@given(payload=PAYLOADS, accept=st.booleans())
def test_accept_or_reject_a_proposal(scene, payload, accept):
    name = "complaints:accept_resolution" if accept else "complaints:reject_resolution"
    submit(scene["customer"], "post", reverse(name, args=[scene["number"]]), {"reason": payload}, payload)


@FUZZ
@given(payload=PAYLOADS)
def test_request_a_deadlock_letter_and_withdraw(scene, payload):
    for name in ("complaints:request_deadlock_letter", "complaints:withdraw"):
        submit(scene["customer"], "post", reverse(name, args=[scene["number"]]), {"reason": payload}, payload)


@FUZZ
@given(payload=PAYLOADS)
def test_record_a_referral_to_the_ombudsman(scene, payload):
    data = {"referred_on": payload, "case_reference": payload}
    submit(scene["customer"], "post", reverse("ombudsman:refer", args=[scene["number"]]), data, payload)


@FUZZ
@given(payload=PAYLOADS)
def test_close_account(customer, payload):
    submit(logged_in(customer), "post", reverse("privacy:close_account"),
           {"password": payload, "withdraw_open": "on"}, payload)


# --- The desk, the reports and the admin --------------------------------------------------


@FUZZ
@given(payload=PAYLOADS, action=st.sampled_from(sorted(ACTIONS)))
def test_the_desks_actions(scene, payload, action):
    fields = ["agent", "body", "proposal", "summary", "upheld", "root_cause", "credit_amount", "refund_amount",
              "reason", "received_at", "referred_on", "case_reference", "decision", "decided_on", "action",
              "award_amount"]
    data = {f"{action}-{field}": payload for field in fields}
    url = reverse("admin:desk_act", args=[scene["complaint"].pk, action])
    submit(scene["manager"], "post", url, data, payload)
    check(scene["manager"].get(reverse("admin:complaints_complaint_change", args=[scene["complaint"].pk])), payload)


@FUZZ
@given(payload=PAYLOADS, valid_email=st.booleans())
@example(payload="a\x00b", valid_email=False)  # PostgreSQL refuses a NUL in the customer search
@example(payload="\u00b2", valid_email=False)
def test_log_a_complaint_at_the_desk(scene, payload, valid_email):
    url = reverse("admin:complaints_complaint_add")
    submit(scene["agent"], "get", url, {"q": payload}, payload)
    submit(scene["agent"], "get", url, {"customer": payload}, payload)
    data = {**customer_details(payload, email="walk.in@example.com" if valid_email else payload),
            "channel": "phone", "received_at": payload, "backdate_reason": payload, "product": "gotomeeting",
            "category": "billing_discrepancy", "description": payload, "desired_outcome": payload,
            "statement_date": payload, "attachments": upload(payload)}
    submit(scene["agent"], "post", f"{url}?customer=new", data, payload)


@FUZZ
@given(payload=PAYLOADS)
def test_the_reports_filters(scene, payload):
    data = {field: payload for field in ("date_from", "date_to", "product", "category", "channel", "agent")}
    submit(scene["manager"], "get", reverse("reports:index"), data, payload)
    submit(scene["manager"], "get", reverse("reports:download", args=["headline"]), data, payload)


def filter_parameters(model):
    """Return the query parameters of a model admin's list filters."""
    model_admin = admin.site._registry[apps.get_model(*model.split("_", 1))]
    return [item.parameter_name if hasattr(item, "parameter_name") else f"{item}__exact"
            for item in model_admin.list_filter]


ADMIN_LISTS = [
    "complaints_complaint", "complaints_outgoingemail", "complaints_rootcause", "ombudsman_letter",
    "ombudsman_referral", "privacy_subjectaccessrequest", "privacy_erasure", "privacy_accountclosure",
    "complaints_complaintaccess",
]


@FUZZ
@given(payload=PAYLOADS, model=st.sampled_from(ADMIN_LISTS))
@example(payload="\u00b2", model="complaints_complaint")  # a digit to str.isdigit(), not to int()
@example(payload="\u00b2", model="complaints_complaintaccess")
@example(payload="a\x00b", model="ombudsman_letter")  # PostgreSQL refuses a NUL in a list filter's value
@example(payload="200000000000000000", model="complaints_complaint")  # a page number overflowing the count's LIMIT
def test_admin_search_and_filters(scene, payload, model):
    url = reverse(f"admin:{model}_changelist")
    # One parameter at a time: the admin refuses a list with any parameter it does not know.
    for parameter in ("q", "p", "o", *filter_parameters(model)):
        submit(scene["manager"], "get", url, {parameter: payload}, payload)


@FUZZ
@given(payload=PAYLOADS)
@example(payload="\u00b2")
def test_the_desks_pages_with_a_hostile_id(scene, payload):
    complaint_id = quote(payload, safe="")
    for url in (f"/admin/complaints/complaint/{complaint_id}/change/",
                f"/admin/complaints/complaint/{complaint_id}/attachments/{complaint_id}/",
                f"/admin/complaints/complaint/print-queue/{complaint_id}/1.pdf"):
        submit(scene["manager"], "get", url, {}, payload)


@pytest.fixture
def sar(customer, manager):
    return privacy_services.record_subject_access_request(
        sar=SubjectAccessRequest(customer=customer, channel="email", received_at=timezone.now()), actor=manager)


@FUZZ
@given(payload=PAYLOADS)
def test_record_a_subject_access_request(scene, sar, payload):
    data = {"find_customer": payload, "channel": "email", "received_at_0": payload, "received_at_1": payload,
            "notes": payload}
    submit(scene["manager"], "post", reverse("admin:privacy_subjectaccessrequest_add"), data, payload)
    submit(scene["manager"], "post", reverse("admin:privacy_subjectaccessrequest_change", args=[sar.pk]),
           {"notes": payload}, payload)


def test_a_script_in_a_complaint_shows_as_text_everywhere_it_is_shown(scene, customer):
    """The fuzzers' check itself catches an unescaped payload (so a pass above means something)."""
    complaint = file_complaint(customer, description=NASTY[0], desired_outcome=NASTY[1])

    for client, url in ((scene["customer"], reverse("complaints:detail", args=[complaint.tracking_number])),
                        (scene["agent"], reverse("admin:complaints_complaint_change", args=[complaint.pk]))):
        response = client.get(url)
        check(response, NASTY[0])
        assert "&lt;script&gt;xss_marker()&lt;/script&gt;" in response.content.decode()


@pytest.mark.parametrize(("url_name", "parameter", "value"), [
    ("admin:ombudsman_letter_changelist", "status__exact", "a\x00b"),
    ("home", "status__exact", "a\x00b"),
    ("admin:ombudsman_referral_changelist", "scheme__exact", "99999999999999999999999"),
    ("admin:ombudsman_referral_changelist", "scheme__exact", "-99999999999999999999999"),
    ("admin:complaints_complaint_changelist", "agent", "99999999999999999999999"),
    ("admin:complaints_complaintaccess_changelist", "staff", "99999999999999999999999"),
])
def test_a_query_string_the_database_cannot_take_is_refused_with_a_400(scene, url_name, parameter, value):
    assert scene["manager"].get(reverse(url_name), {parameter: value}).status_code == 400
