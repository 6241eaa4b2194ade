"""Staff without their phone pass the second factor with a single-use recovery code."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts import recovery_codes, two_factor
from accounts.models import Authenticator, RecoveryCode, User
from tests.accounts.conftest import confirm_setup, password_login
from tests.conftest import PASSWORD, give_authenticator, staff_code
from tests.threads import at_once

VERIFY = reverse("accounts:two_factor")
SETUP = reverse("accounts:two_factor_setup")
RECOVERY = reverse("accounts:two_factor_recovery")
CODES = reverse("accounts:two_factor_recovery_codes")
ADMIN = reverse("admin:index")
SHOWN_CODE = re.compile(r"<code>([0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5})</code>")


def shown_codes(response):
    return SHOWN_CODE.findall(response.content.decode())


def wrong_app_code():
    return f"{(int(staff_code()) + 500_000) % 1_000_000:06d}"


@pytest.fixture
def codes(agent):
    """The agent's recovery codes, as they were shown to them."""
    return two_factor.new_recovery_codes(agent.authenticator)


# --- made and shown once -----------------------------------------------------------------

def test_confirming_an_authenticator_shows_ten_codes_once_and_keeps_only_their_hashes(new_agent):
    client = password_login(new_agent)

    response = confirm_setup(client, new_agent, ADMIN)

    assertContains(response, "Store these codes safely: each works once.")
    assertContains(response, f'href="{ADMIN}"')
    shown = shown_codes(response)
    assert len(set(shown)) == recovery_codes.COUNT
    stored = str(list(RecoveryCode.objects.values()))
    assert RecoveryCode.objects.filter(authenticator__user=new_agent, used_at__isnull=True).count() == 10
    assert not any(code in stored or code.replace("-", "") in stored for code in shown)
    # Nowhere to be seen again: the set-up page is gone and the codes page only counts them.
    assert shown_codes(client.get(SETUP, follow=True)) == []
    response = client.get(CODES)
    assertContains(response, "You have 10 unused recovery codes.")
    assert shown_codes(response) == []
    # The codes shown are the ones that work.
    assert recovery_codes.use(Authenticator.objects.get(user=new_agent), shown[0])


def test_codes_are_read_whatever_their_case_spacing_and_look_alike_letters():
    assert recovery_codes.normalise(" 7kq2m - 9xw4d ") == "7KQ2M9XW4D"
    assert recovery_codes.normalise("IL0O1-22222") == "1100122222"
    for not_a_code in ("7KQ2M-9XW4", "7KQ2M-9XW4DD", "7KQ2M-9XW4U", "123456"):
        assert recovery_codes.normalise(not_a_code) is None


# --- using one ----------------------------------------------------------------------------

def test_the_code_page_offers_a_recovery_code_instead(agent):
    response = password_login(agent).get(f"{VERIFY}?next=/reports/")

    assertContains(response, f'href="{RECOVERY}?next=%2Freports%2F">Use a recovery code</a>')
    assertContains(response, f'href="{CODES}">Make a new set</a>')


def test_a_recovery_code_passes_the_second_factor_once_and_never_again(agent, codes):
    client = password_login(agent)

    response = client.post(RECOVERY, {"code": codes[0].lower().replace("-", " "), "next": ADMIN}, follow=True)

    assert response.redirect_chain == [(f"{CODES}?next=%2Fadmin%2F", 302)]
    assertContains(response, "Recovery code accepted. It will not work again.")
    assertContains(response, "You have 9 unused recovery codes.")
    assertNotContains(response, 'id="recovery-codes-few"')
    assert client.get(ADMIN).status_code == 200
    assert LogEntry.objects.filter(object_id=str(agent.pk), change_message="Used a two-factor recovery code.").exists()

    again = password_login(agent)
    response = again.post(RECOVERY, {"code": codes[0], "next": ADMIN})

    assertContains(response, "That recovery code did not work")
    assert two_factor.SESSION_KEY not in again.session
    assert again.get(ADMIN).status_code == 302


def test_the_codes_page_warns_when_few_codes_remain(agent, codes):
    for code in codes[:-recovery_codes.FEW]:
        assert recovery_codes.use(agent.authenticator, code)
    client = Client()
    client.force_login(agent)

    assertContains(client.get(CODES), "Only 3 left: make a new set now")
    for code in codes[-recovery_codes.FEW:]:
        assert recovery_codes.use(agent.authenticator, code)
    assertContains(client.get(CODES), "None left: make a new set now")


def test_a_wrong_recovery_code_counts_towards_the_lockout_of_app_codes(agent, codes):
    client = password_login(agent)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(Authenticator.MAX_FAILED_CODES - 1):
            client.post(VERIFY, {"code": wrong_app_code()})

        response = client.post(RECOVERY, {"code": "22222-22222"})

        assertContains(response, "Too many wrong codes")
        assert client.post(VERIFY, {"code": staff_code()}).status_code == 200
        # Not checked, nor counted, until the lockout ends.
        traveller.shift(Authenticator.LOCKOUT - timedelta(seconds=1))
        response = client.post(RECOVERY, {"code": codes[0]})
        assertContains(response, "Too many wrong codes")
        assert two_factor.SESSION_KEY not in client.session
        traveller.shift(timedelta(seconds=1))
        assert client.post(RECOVERY, {"code": codes[0]}).status_code == 302
    assert Authenticator.objects.get(user=agent).failed_codes == 0


def test_a_request_that_read_the_row_before_the_lockout_cannot_use_a_recovery_code(agent, codes):
    """Requests in flight together all read the authenticator before the others' wrong codes."""
    with time_machine.travel(timezone.now(), tick=False):
        stale = Authenticator.objects.get(user=agent)
        fresh = Authenticator.objects.get(user=agent)
        for _ in range(Authenticator.MAX_FAILED_CODES):
            assert not fresh.accept(wrong_app_code())

        assert not recovery_codes.use(stale, codes[0])
    assert RecoveryCode.objects.filter(used_at__isnull=True).count() == 10


def test_two_requests_that_read_the_row_before_either_used_the_code_let_one_in(agent, codes):
    first, second = Authenticator.objects.get(user=agent), Authenticator.objects.get(user=agent)

    assert recovery_codes.use(first, codes[0])
    assert not recovery_codes.use(second, codes[0])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                    reason="needs PostgreSQL: SQLite serialises writers, so there is no concurrency to test")
def test_one_recovery_code_sent_by_four_requests_at_once_lets_one_in(agent, codes):
    def send_code(wait):
        authenticator = Authenticator.objects.get(user=agent)
        wait()
        return recovery_codes.use(authenticator, codes[0])

    results, errors = at_once(4, send_code)

    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1


# --- a new set, and the reset -------------------------------------------------------------

def test_a_new_set_replaces_the_old_codes_and_is_shown_once(agent, codes):
    client = Client()
    client.force_login(agent)
    recovery_codes.use(agent.authenticator, codes[0])
    assertContains(client.get(CODES), "You have 9 unused recovery codes.")

    response = client.post(CODES, {"next": "/reports/"})

    new = shown_codes(response)
    assert len(set(new)) == 10 and not set(new) & set(codes)
    assertContains(response, 'href="/reports/"')
    assert RecoveryCode.objects.filter(authenticator__user=agent).count() == 10
    assert not recovery_codes.use(agent.authenticator, codes[1])
    assert recovery_codes.use(agent.authenticator, new[0])
    assert shown_codes(client.get(CODES)) == []
    assert LogEntry.objects.filter(object_id=str(agent.pk),
                                   change_message="Made new two-factor recovery codes.").exists()


def test_a_new_set_needs_the_second_factor(agent, codes):
    client = password_login(agent)
    before = list(RecoveryCode.objects.values_list("code_hash", flat=True))

    response = client.post(CODES)

    assert response.status_code == 302 and response.url == f"{VERIFY}?next=%2Faccounts%2Ftwo-factor%2Frecovery-codes%2F"
    assert list(RecoveryCode.objects.values_list("code_hash", flat=True)) == before


def test_a_superuser_reset_removes_the_recovery_codes(client, agent, codes):
    superuser = User.objects.create_superuser(email="root@example.com", password=PASSWORD, full_name="Root User")
    client.force_login(superuser)
    assertContains(client.get(reverse("admin:accounts_user_change", args=[agent.pk])), "10 unused recovery codes")

    client.post(reverse("admin:accounts_user_changelist"),
                {"action": "reset_two_factor", "_selected_action": [agent.pk]})

    assert RecoveryCode.objects.count() == 0
    assert not recovery_codes.use(give_authenticator(agent), codes[0])


def test_customers_have_no_recovery_code_pages(client, customer):
    client.force_login(customer)

    for url in (RECOVERY, CODES):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"code": "22222-22222"}).status_code == 404, url


def test_every_admin_page_links_to_the_staff_members_recovery_codes(client, agent):
    client.force_login(agent)

    html = client.get(reverse("admin:index")).content.decode()

    assert f'<a href="{reverse("accounts:two_factor_recovery_codes")}">Recovery codes</a>' in html
