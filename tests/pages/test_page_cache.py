"""The home and contact pages are kept whole for anonymous visitors, never for anyone else,
and an edit to the schemes or the waiting period shows at once."""

from datetime import date

import pytest
import time_machine
from django.contrib import messages
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from common import kept_html
from ombudsman.models import DataVersion, Scheme
from ombudsman.services.policies import add_waiting_period_policy
from tests.conftest import use_dead_redis_cache
from tests.ombudsman.conftest import uk

PAGES = ["home", "contact"]


def rendered(response):
    """Whether the request rendered a template (Django's test client records every one)."""
    return bool(response.templates)


@pytest.mark.parametrize("name", PAGES)
def test_an_anonymous_visitor_gets_the_kept_page(client, db, name):
    first = client.get(reverse(name))
    second = client.get(reverse(name))

    assert rendered(first) and not rendered(second)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("name", PAGES)
def test_a_scheme_edit_shows_at_once(client, provider_scheme, name):
    assertContains(client.get(reverse(name)), "0845 050 1614")

    provider_scheme.phone = "0300 123 4567"
    provider_scheme.save()

    response = client.get(reverse(name))
    assertContains(response, "0300 123 4567")
    assertNotContains(response, "0845 050 1614")


def test_an_edit_through_a_queryset_moves_the_version_too(client, provider_scheme):
    client.get(reverse("contact"))
    before = DataVersion.current()

    Scheme.objects.filter(pk=provider_scheme.pk).update(phone="0300 123 4567")

    assert DataVersion.current() != before
    assertContains(client.get(reverse("contact")), "0300 123 4567")


def test_a_new_waiting_period_shows_from_the_day_it_takes_effect(client, manager):
    with time_machine.travel(uk(2026, 6, 1, 12), tick=False):
        assertContains(client.get(reverse("home")), "The clock: 8 weeks")
        add_waiting_period_policy(effective_from=date(2026, 6, 2), days=28, actor=manager)
        assertContains(client.get(reverse("home")), "The clock: 8 weeks")
    with time_machine.travel(uk(2026, 6, 2, 0, 5), tick=False):
        assertContains(client.get(reverse("home")), "The clock: 4 weeks")


@pytest.mark.parametrize("name", PAGES)
def test_a_signed_in_customer_never_gets_the_kept_page_nor_leaves_theirs(client, customer, name):
    client.get(reverse(name))
    client.force_login(customer)

    own = client.get(reverse(name))
    assert rendered(own)
    assertContains(own, "Log out")

    client.logout()
    client.cookies.clear()
    anonymous = client.get(reverse(name))
    assertNotContains(anonymous, "Log out")
    assertNotContains(anonymous, customer.full_name)


def test_a_visitor_with_a_message_gets_the_page_rendered_with_it(client, db, rf):
    client.get(reverse("home"))
    # The message a visitor carries after signing out, say, in the messages cookie.
    request = rf.get("/")
    storage = messages.storage.cookie.CookieStorage(request)
    storage.add(messages.INFO, "You have signed out.")
    response = client.get("/")
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value

    assertContains(client.get(reverse("home")), "You have signed out.")


def test_a_new_deploy_renders_the_page_afresh(client, db, settings):
    client.get(reverse("home"))
    settings.CODE_VERSION = "next-release"

    assert rendered(client.get(reverse("home")))


def test_the_page_is_served_while_the_cache_is_down(client, db, settings):
    use_dead_redis_cache(settings)

    assertContains(client.get(reverse("home")), "Code of Practice")


@pytest.mark.parametrize("name", PAGES)
def test_the_providers_details_set_in_the_environment_show_at_once(client, db, settings, name):
    client.get(reverse(name))
    settings.PROVIDER = {**settings.PROVIDER, "phone": "+44 (0) 20 7946 0000"}

    assertContains(client.get(reverse(name)), "+44 (0) 20 7946 0000")


@pytest.mark.parametrize("name", PAGES)
def test_another_process_serves_the_page_from_the_shared_cache_and_keeps_it(client, db, settings, name):
    first = client.get(reverse(name))
    kept_html.forget()  # as a process that never rendered it

    from_shared = client.get(reverse(name))
    use_dead_redis_cache(settings)
    from_its_own = client.get(reverse(name))

    assert not rendered(from_shared) and not rendered(from_its_own)
    assert from_shared.content == from_its_own.content == first.content


@pytest.mark.parametrize("name", PAGES)
def test_a_process_serves_the_page_it_kept_without_the_shared_cache(client, db, settings, name):
    assert rendered(client.get(reverse(name)))
    use_dead_redis_cache(settings)

    again = client.get(reverse(name))

    assert not rendered(again)
    assertContains(again, "Code of Practice" if name == "home" else "Ofcom, the regulator")


def test_a_process_renders_afresh_once_the_data_version_moves_while_the_shared_cache_is_down(
        client, provider_scheme, settings):
    client.get(reverse("contact"))
    use_dead_redis_cache(settings)

    provider_scheme.phone = "0300 123 4567"
    provider_scheme.save()

    response = client.get(reverse("contact"))
    assert rendered(response)
    assertContains(response, "0300 123 4567")


def test_a_visit_with_the_cache_down_tries_it_once(client, db, settings, caplog):
    use_dead_redis_cache(settings)

    assertContains(client.get(reverse("home")), "Code of Practice")

    assert [record.message for record in caplog.records if "Page cache unreachable" in record.message] == [
        "Page cache unreachable: rendering /"]
