"""Staff log in with a password and a code from their app, in Chromium: accessible, step by step."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts import totp, two_factor
from accounts.models import Authenticator
from tests.browser.a11y import blocking, describe, run_axe
from tests.conftest import PASSWORD, enter_staff_code, staff_code

ADMIN = reverse("admin:index")


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as a script the page's own Content-Security-Policy would refuse.
    return {**browser_context_args, "bypass_csp": True}


def type_password(page, url, user, submit):
    """Log in with the password only on the page at ``url``, as the staff member would."""
    page.goto(url)
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click(submit)


def assert_accessible(page):
    violations = blocking(run_axe(page))
    assert not violations, describe(violations)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_agent_logs_in_with_a_password_and_a_code_from_their_app(live_server, page, agent):
    type_password(page, f"{live_server.url}/accounts/login/", agent, "main button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/**")
    assert_accessible(page)
    page.fill("#id_code", f"{(int(staff_code()) + 1) % 1_000_000:06d}")
    page.click("main button[type=submit]")
    expect(page.locator("#error-summary")).to_contain_text("That code did not work")
    assert_accessible(page)

    enter_staff_code(page)

    page.wait_for_url(f"{live_server.url}{ADMIN}")
    expect(page.locator("#user-tools")).to_contain_text("Welcome, Alex")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_agent_sets_up_their_app_from_the_page_and_reaches_the_admin(live_server, page, new_agent):
    type_password(page, f"{live_server.url}{ADMIN}", new_agent, "input[type=submit]")
    page.wait_for_url("**/accounts/two-factor/setup/**")
    assert_accessible(page)

    # What an authenticator app does with the key typed in from the page.
    secret = re.sub(r"\s", "", page.locator("#two-factor-secret").inner_text())
    page.fill("#id_code", totp.code_at(secret, totp.step_at(timezone.now())))
    page.click("main button[type=submit]")

    expect(page.locator("#recovery-codes li")).to_have_count(10)
    expect(page.locator("#print-recovery-codes")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="I have saved my codes: continue").click()
    page.wait_for_url(f"{live_server.url}{ADMIN}")
    assert Authenticator.objects.get(user=new_agent).is_confirmed


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_agent_without_their_phone_uses_a_recovery_code_then_makes_a_new_set(live_server, page, agent):
    codes = two_factor.new_recovery_codes(agent.authenticator)
    type_password(page, f"{live_server.url}/accounts/login/", agent, "main button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/**")
    page.get_by_role("link", name="Use a recovery code").click()
    page.wait_for_url("**/accounts/two-factor/recovery/**")
    page.fill("#id_code", "22222-22222")
    page.click("main button[type=submit]")
    expect(page.locator("#error-summary")).to_contain_text("That recovery code did not work")
    assert_accessible(page)

    page.fill("#id_code", codes[0])
    page.click("main button[type=submit]")

    expect(page.locator("#recovery-codes-left")).to_have_text("You have 9 unused recovery codes.")
    assert_accessible(page)
    page.get_by_role("button", name="Make a new set of recovery codes").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page)
