"""The confirmation pages take hostile input as every other form does (see tests/security/test_hostile_input.py)."""

from urllib.parse import quote

from django.test import Client
from django.urls import reverse
from hypothesis import given

from tests.security.test_hostile_input import FUZZ, NASTY, PAYLOADS, check, submit


@FUZZ
@given(payload=PAYLOADS)
def test_ask_for_a_new_confirmation_link(db, payload):
    submit(Client(), "post", reverse("accounts:resend_confirmation"), {"email": payload}, payload)


@FUZZ
@given(payload=PAYLOADS)
def test_a_confirmation_link_with_any_token(db, payload):
    # Whatever a mail program or an attacker makes of the link: a page that says it does not work.
    response = Client().get(reverse("accounts:signup") + "confirm/" + quote(payload.replace("/", ""), safe="") + "/")
    check(response, payload)
    assert response.status_code in (200, 404)


def test_the_fuzzers_payloads_reach_the_token_page(db):
    response = Client().get(reverse("accounts:confirm_sign_up", args=[quote(NASTY[0].replace("/", ""), safe="")]))

    assert response.status_code == 200
    assert "This link does not work" in response.text
