"""Every URL again, for an agent and a manager who typed their password but not yet their code.

The expectation comes from the access matrix, so the two cannot drift apart: where a verified
staff member gets a page (200), one who has only passed the password is sent on to enter a
code, and brought back to that page after. Wherever else, they are sent to the code page too,
or refused (403, 404, 405): never a page. A POST never acts: nothing in the database changes.
Pages that are allowed to answer them as they are must be named in EXEMPT, with why.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import resolve

from accounts import two_factor
from tests.conftest import PASSWORD
from tests.security.matrix import AGENT, MANAGER, MATRIX, url_for

# Where an unverified staff member lands: the admin sends them through its log in page to it.
SECOND_FACTOR = "accounts:two_factor"
SENT_ON_OR_REFUSED = {SECOND_FACTOR, 403, 404, 405}
# A POST that would act if the gate let it through: the desk's note, and any form's text.
POST_DATA = {"body": "Let me in", "reason": "Let me in", "note-body": "Let me in"}

PUBLIC = "A public page: the same for everyone, logged in or not"
TOKEN = "Setting a forgotten password needs the emailed link, not a log in"
LOG_OUT = "Logging out must work before the code is entered (a POST here would end the test's session)"
EXEMPT = {
    "home": PUBLIC,
    "code_of_practice": PUBLIC,
    "contact": PUBLIC,
    "complaints:track": PUBLIC,
    "accounts:claim_sent": PUBLIC,
    "privacy:account_closed": PUBLIC,
    "ombudsman:healthz": "The load balancer's probe: shows only whether the database and clock sweep work",
    "accounts:password_reset": TOKEN,
    "accounts:password_reset_done": TOKEN,
    "accounts:password_reset_confirm": TOKEN,
    "accounts:password_reset_complete": TOKEN,
    "accounts:logout": LOG_OUT,
    "admin:logout": LOG_OUT,
    "admin:login": "The admin's log in page: a GET sends them on to the code; a POST logs in again",
    "accounts:two_factor": "The page where the code is entered",
    "accounts:two_factor_recovery": "The page where a recovery code is entered instead of the app's code",
    "accounts:password_change_done": "Says only that the staff member's own password changed",
}
GATED = [key for key in MATRIX if key not in EXEMPT]


def allowed(verified):
    """Return what an unverified staff member may get where a verified one gets ``verified``."""
    return {SECOND_FACTOR} if verified == 200 else SENT_ON_OR_REFUSED


def landing(response):
    """Say where a followed response ended: (SECOND_FACTOR, the page it leads back to), or (its status, None)."""
    if response.redirect_chain and response.status_code == 200:
        target = urlsplit(response.redirect_chain[-1][0])
        if resolve(target.path).view_name == SECOND_FACTOR:
            return SECOND_FACTOR, parse_qs(target.query).get("next", [None])[0]
    return response.status_code, None


def describe(response):
    return " -> ".join([url for url, _ in response.redirect_chain] + [str(response.status_code)])


def database_rows():
    """Return every row of every model but sessions, which logging in and the code pages write."""
    return {model._meta.label: list(model.objects.order_by("pk").values())
            for model in apps.get_models() if model is not Session}


@pytest.fixture
def password_only(agent, manager):
    """Return clients for an agent and a manager logged in with the password, not the code."""
    clients = {}
    for persona, user in ((AGENT, agent), (MANAGER, manager)):
        clients[persona] = Client()
        assert clients[persona].login(username=user.email, password=PASSWORD)
    return clients


def test_every_exemption_names_a_url_in_the_matrix():
    assert [key for key in EXEMPT if key not in MATRIX] == []


@pytest.mark.parametrize("key", GATED)
def test_staff_with_only_a_password_get_no_staff_page_and_change_nothing(key, world, password_only):
    url = url_for(key, world)
    before = database_rows()
    wrong = []
    for persona, client in password_only.items():
        verified = MATRIX[key][persona]
        response = client.get(url, follow=True)
        got, back_to = landing(response)
        if got not in allowed(verified):
            wrong.append(f"GET as {persona}: verified gets {verified}, unverified got {describe(response)}")
        elif verified == 200 and back_to != url:
            wrong.append(f"GET as {persona}: the code page leads back to {back_to}, not {url}")
        response = client.post(url, POST_DATA, follow=True)
        if landing(response)[0] not in SENT_ON_OR_REFUSED:
            wrong.append(f"POST as {persona}: got {describe(response)}")
        assert "_auth_user_id" in client.session and two_factor.SESSION_KEY not in client.session, \
            f"{persona} is no longer logged in with only the password"

    assert not wrong, "\n".join(wrong)
    assert database_rows() == before, "a request from staff without the second factor changed the database"
