"""Staff pass a second factor (a TOTP code) before any staff page works; customers never see it."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts import totp, two_factor
from accounts.models import Authenticator, User
from tests.accounts.conftest import confirm_setup, password_login
from tests.conftest import PASSWORD, STAFF_TOTP_SECRET, give_authenticator, staff_code

VERIFY = reverse("accounts:two_factor")
SETUP = reverse("accounts:two_factor_setup")
ADMIN = reverse("admin:index")
REPORTS = reverse("reports:index")

# RFC 6238 appendix B (SHA-1): the 20-byte ASCII key, and 8-digit codes at these Unix times.
RFC_KEY = b"12345678901234567890"
RFC_6238_SHA1 = [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
                 (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")]
# RFC 4226 appendix D: HOTP codes for counters 0 to 9 with the same key.
RFC_4226 = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]


def at_unix(seconds):
    return datetime.fromtimestamp(seconds, tz=UTC)


def chain_end(response):
    return response.redirect_chain[-1][0] if response.redirect_chain else None


# --- the algorithm ----------------------------------------------------------------------

@pytest.mark.parametrize(("unix_time", "expected"), RFC_6238_SHA1)
def test_codes_match_the_rfc_6238_test_vectors(unix_time, expected):
    step = totp.step_at(at_unix(unix_time))

    assert totp.hotp(RFC_KEY, step, digits=8) == expected
    # Six digits are the last six of eight: the same number taken modulo 10^6.
    assert totp.code_at(base64.b32encode(RFC_KEY).decode(), step) == expected[-6:]


def test_hotp_matches_the_rfc_4226_test_vectors():
    assert [totp.hotp(RFC_KEY, counter) for counter in range(10)] == RFC_4226


def test_a_phone_a_step_behind_or_ahead_is_accepted_but_not_two():
    now = at_unix(1_800_000_000)
    step = totp.step_at(now)

    for drift in (-1, 0, 1):
        assert totp.matching_step(STAFF_TOTP_SECRET, totp.code_at(STAFF_TOTP_SECRET, step + drift), now=now) \
            == step + drift
    for drift in (-2, 2):
        assert totp.matching_step(STAFF_TOTP_SECRET, totp.code_at(STAFF_TOTP_SECRET, step + drift), now=now) is None


def test_new_secrets_are_160_random_bits_in_base32():
    secrets = {totp.random_secret() for _ in range(20)}

    assert len(secrets) == 20
    assert all(len(base64.b32decode(secret)) == 20 for secret in secrets)


def test_the_setup_uri_names_the_account_the_issuer_and_the_parameters():
    uri = totp.provisioning_uri("ABCDEFGH", account="alex.agent@example.com", issuer="LogMeIn Complaints")

    assert uri == ("otpauth://totp/LogMeIn%20Complaints:alex.agent@example.com?secret=ABCDEFGH"
                   "&issuer=LogMeIn+Complaints&algorithm=SHA1&digits=6&period=30")


# --- the authenticator --------------------------------------------------------------------

def test_a_code_works_once_and_never_again(agent):
    authenticator = agent.authenticator
    code = staff_code()

    assert authenticator.accept(code)
    assert not authenticator.accept(code)
    authenticator.refresh_from_db()
    assert not authenticator.accept(code)


def test_an_older_code_is_refused_once_a_newer_one_was_used(agent):
    authenticator, now = agent.authenticator, timezone.now()
    step = totp.step_at(now)

    assert authenticator.accept(totp.code_at(STAFF_TOTP_SECRET, step + 1), now=now)
    assert not authenticator.accept(totp.code_at(STAFF_TOTP_SECRET, step), now=now)
    assert not authenticator.accept(totp.code_at(STAFF_TOTP_SECRET, step - 1), now=now)


def test_five_wrong_codes_stop_any_code_working_for_15_minutes(agent):
    authenticator = agent.authenticator
    wrong = f"{(int(staff_code()) + 500_000) % 1_000_000:06d}"
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(Authenticator.MAX_FAILED_CODES):
            assert not authenticator.accept(wrong)

        assert not authenticator.accept(staff_code())
        traveller.shift(Authenticator.LOCKOUT - timedelta(seconds=31))
        assert not authenticator.accept(staff_code())
        traveller.shift(timedelta(seconds=31))
        assert authenticator.accept(staff_code())
    authenticator.refresh_from_db()
    assert authenticator.failed_codes == 0


def test_a_request_that_read_the_row_before_the_lockout_cannot_get_in(agent):
    """Requests in flight together all read the authenticator before the others' wrong codes."""
    wrong = f"{(int(staff_code()) + 500_000) % 1_000_000:06d}"
    with time_machine.travel(timezone.now(), tick=False):
        stale = Authenticator.objects.get(user=agent)
        fresh = Authenticator.objects.get(user=agent)
        for _ in range(Authenticator.MAX_FAILED_CODES):
            assert not fresh.accept(wrong)
        assert stale.failed_codes == 0
        assert not stale.accept(staff_code())


def test_the_secret_is_not_in_the_authenticators_text(agent):
    assert STAFF_TOTP_SECRET not in f"{agent.authenticator} {agent.authenticator!r}"


# --- the gate -------------------------------------------------------------------------------

def test_staff_with_only_a_password_are_sent_from_the_admin_to_enter_a_code(agent):
    client = password_login(agent)

    response = client.get(reverse("admin:complaints_complaint_changelist"), follow=True)

    assert chain_end(response) == f"{VERIFY}?next=%2Fadmin%2Fcomplaints%2Fcomplaint%2F"
    assertContains(response, "Enter your code")


def test_the_admin_log_in_form_leads_on_to_the_code(agent):
    client = Client()

    response = client.post(f"{reverse('admin:login')}?next={ADMIN}",
                           {"username": agent.email, "password": PASSWORD, "next": ADMIN}, follow=True)

    assert chain_end(response) == f"{VERIFY}?next=%2Fadmin%2F"


def test_a_manager_with_only_a_password_is_sent_from_the_reports_to_enter_a_code(manager):
    client = password_login(manager)

    for url in (REPORTS, reverse("reports:download", args=["return"])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(f"{VERIFY}?next="), url


def test_the_right_code_opens_the_staff_pages_and_a_new_session_key(manager):
    client = password_login(manager)
    old_key = client.session.session_key

    response = client.post(VERIFY, {"code": staff_code(), "next": REPORTS})

    assert response.status_code == 302 and response.url == REPORTS
    assert client.session.session_key != old_key
    assert client.get(REPORTS).status_code == 200
    assert client.get(ADMIN).status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_message_and_nothing_opens(agent):
    client = password_login(agent)
    wrong = f"{(int(staff_code()) + 1) % 1_000_000:06d}"

    response = client.post(VERIFY, {"code": wrong, "next": ADMIN})

    assert response.status_code == 200
    assertContains(response, "That code did not work. Enter the 6-digit code your authenticator app shows now")
    assert two_factor.SESSION_KEY not in client.session
    assert client.get(ADMIN).status_code == 302


def test_a_code_that_is_not_six_digits_is_refused_and_kept(agent):
    client = password_login(agent)

    response = client.post(VERIFY, {"code": "12a45", "next": ADMIN})

    assertContains(response, "Enter the 6 digits your authenticator app shows")
    assertContains(response, 'value="12a45"')


def test_after_too_many_wrong_codes_the_page_says_when_to_try_again(agent):
    client = password_login(agent)
    wrong = f"{(int(staff_code()) + 1) % 1_000_000:06d}"
    for _ in range(Authenticator.MAX_FAILED_CODES - 1):
        client.post(VERIFY, {"code": wrong})

    response = client.post(VERIFY, {"code": wrong})

    assertContains(response, "Too many wrong codes")


def test_a_code_is_asked_for_again_after_logging_out(agent):
    client = password_login(agent)
    client.post(VERIFY, {"code": staff_code()})
    assert client.get(ADMIN).status_code == 200

    client.post(reverse("accounts:logout"))
    assert two_factor.SESSION_KEY not in client.session
    client.login(username=agent.email, password=PASSWORD)

    assert client.get(ADMIN, follow=True).redirect_chain[-1][0] == f"{VERIFY}?next=%2Fadmin%2F"


def test_a_verified_page_goes_to_a_safe_next_address_only(agent):
    client = password_login(agent)

    response = client.post(VERIFY, {"code": staff_code(), "next": "https://evil.example.com/"})

    assert response.url == ADMIN


def test_customers_are_unaffected(client, customer):
    client.login(username=customer.email, password=PASSWORD)

    assert client.get(reverse("complaints:mine")).status_code == 200
    assert client.get(VERIFY).status_code == 404
    assert client.get(SETUP).status_code == 404
    response = client.get(ADMIN)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_staff_with_only_a_password_cannot_read_customers_complaints(agent, complaint):
    client = password_login(agent)
    tracking = complaint.tracking_number
    urls = [reverse("complaints:detail", args=[tracking]), reverse("ombudsman:refer", args=[tracking])]
    for url in urls:
        assert client.get(url).status_code == 404, url
    # The files staff may open from a customer's page send them to enter their code first.
    files = [reverse("complaints:attachment", args=[tracking, 1]), reverse("ombudsman:letter_pdf", args=[tracking, 1])]
    for url in files:
        assert client.get(url).url.startswith(f"{VERIFY}?next="), url
    client.post(VERIFY, {"code": staff_code()})
    assert client.get(urls[0]).url == reverse("admin:complaints_complaint_change", args=[complaint.pk])


# --- setting up an authenticator ------------------------------------------------------------

def test_staff_without_an_authenticator_are_shown_a_secret_to_set_one_up(new_agent):
    client = password_login(new_agent)

    response = client.get(ADMIN, follow=True)

    assert chain_end(response) == f"{SETUP}?next=%2Fadmin%2F"
    secret = Authenticator.objects.get(user=new_agent).secret
    assertContains(response, f'data-secret="{secret}"')
    assertContains(response, "otpauth://totp/LogMeIn%20Complaints:alex.agent@example.com?secret=" + secret)
    # Reloading keeps the same secret: the app may already hold it.
    assertContains(client.get(SETUP), f'data-secret="{secret}"')


def test_the_first_code_confirms_the_authenticator_and_opens_the_admin(new_agent):
    client = password_login(new_agent)

    response = confirm_setup(client, new_agent, ADMIN)

    # The recovery codes come first (tests/accounts/test_recovery_codes.py), then the admin.
    assertContains(response, "Save your recovery codes")
    assertContains(response, f'href="{ADMIN}"')
    authenticator = Authenticator.objects.get(user=new_agent)
    assert authenticator.is_confirmed
    assert LogEntry.objects.get(object_id=str(new_agent.pk)).change_message == "Set up a two-factor authenticator."
    assert client.get(ADMIN).status_code == 200
    # Once confirmed, the set-up page (and the secret) is gone for good.
    response = client.get(SETUP)
    assert response.status_code == 302 and response.url.startswith(VERIFY)


def test_a_wrong_first_code_leaves_the_authenticator_unconfirmed(new_agent):
    client = password_login(new_agent)
    client.get(SETUP)
    secret = Authenticator.objects.get(user=new_agent).secret
    wrong = f"{(int(totp.code_at(secret, totp.step_at(timezone.now()))) + 1) % 1_000_000:06d}"

    response = client.post(SETUP, {"code": wrong})

    assertContains(response, "That code did not work")
    assert not Authenticator.objects.get(user=new_agent).is_confirmed
    assert client.get(ADMIN).status_code == 302


def test_the_verify_page_sends_staff_without_an_authenticator_to_set_one_up(new_agent):
    client = password_login(new_agent)

    response = client.get(f"{VERIFY}?next=/reports/")

    assert response.url == f"{SETUP}?next=%2Freports%2F"


# --- the admin: status and the reset for a lost phone ---------------------------------------

@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.com", password=PASSWORD, full_name="Root User")


def test_the_user_admin_shows_the_status_never_the_secret(client, superuser, agent):
    client.force_login(superuser)

    response = client.get(reverse("admin:accounts_user_change", args=[agent.pk]))

    assertContains(response, "Authenticator app confirmed on")
    assertNotContains(response, STAFF_TOTP_SECRET)
    assert not admin.site.is_registered(Authenticator)


def test_a_superuser_resets_a_lost_phone_and_the_old_sessions_stop_working(client, superuser, agent):
    agent_client = Client()
    agent_client.force_login(agent)
    assert agent_client.get(ADMIN).status_code == 200
    client.force_login(superuser)

    response = client.post(reverse("admin:accounts_user_changelist"),
                           {"action": "reset_two_factor", "_selected_action": [agent.pk]}, follow=True)

    assertContains(response, "Reset two-factor authentication for 1 account(s)")
    assert not Authenticator.objects.filter(user=agent).exists()
    entry = LogEntry.objects.get(object_id=str(agent.pk))
    assert entry.user == superuser and "Reset the two-factor authenticator" in entry.change_message
    response = agent_client.get(ADMIN, follow=True)
    assert chain_end(response) == f"{SETUP}?next=%2Fadmin%2F"
    # Nor does a session verified with the lost phone come back once the new one is set up.
    give_authenticator(agent)
    assert agent_client.get(ADMIN).status_code == 302


def test_only_superusers_may_reset_an_authenticator(client, manager, agent):
    manager.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(manager)

    response = client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 200
    assertNotContains(response, "reset_two_factor")
    client.post(reverse("admin:accounts_user_changelist"),
                {"action": "reset_two_factor", "_selected_action": [agent.pk]})
    assert Authenticator.objects.filter(user=agent).exists()
