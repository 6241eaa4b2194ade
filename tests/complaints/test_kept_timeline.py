"""The customer's timeline is rendered once and kept: only new events are rendered, and no
change (a reply, a letter, a status change, a scheme's new name, an erasure) waits to show."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from complaints import kept_timelines, services
from complaints.models import Event, EventKind, Status
from ombudsman import services as adr_services
from ombudsman import sweep
from ombudsman.models import Scheme
from privacy import retention
from tests.complaints.conftest import log_in
from tests.conftest import file_complaint, use_dead_redis_cache
from tests.ombudsman.conftest import uk
from tests.privacy.conftest import story

EVENT_TEMPLATE = "complaints/_timeline_event.html"


def page(client, complaint):
    return client.get(reverse("complaints:detail", args=[complaint.tracking_number]))


def events_rendered(response):
    """How many timeline events the request rendered (Django's test client records every template)."""
    return sum(template.name == EVENT_TEMPLATE for template in response.templates)


def timeline_text(response):
    html = response.content.decode()
    return html[html.index('<ol class="timeline">'):html.index("</ol>", html.index('<ol class="timeline">'))]


def test_a_second_visit_renders_no_event_again(customer_client, complaint, agent):
    services.add_staff_message(complaint=complaint, agent=agent, body="Could you send the meeting ID?")
    first = page(customer_client, complaint)
    second = page(customer_client, complaint)

    assert events_rendered(first) == complaint.events.filter(visible_to_customer=True).count() == 2
    assert events_rendered(second) == 0
    assert timeline_text(second) == timeline_text(first)
    assertContains(second, "Could you send the meeting ID?")


def test_a_reply_shows_at_once_and_only_it_is_rendered(customer_client, customer, complaint):
    page(customer_client, complaint)
    services.add_customer_message(complaint=complaint, customer=customer, body="The meeting ID is 123-456-789.")

    response = page(customer_client, complaint)

    assert events_rendered(response) == 1
    assertContains(response, "The meeting ID is 123-456-789.")
    assertContains(response, "You sent us a message")


def test_a_status_change_shows_at_once(customer_client, complaint, agent):
    page(customer_client, complaint)
    services.request_information(complaint=complaint, agent=agent, body="Which browser do you use?")

    response = page(customer_client, complaint)

    assertContains(response, "We are waiting for your reply")
    assertContains(response, "Which browser do you use?")
    assert complaint.events.filter(kind=EventKind.STATUS_CHANGED).exists()


def test_a_letter_written_by_the_sweep_shows_at_once(customer, client):
    with time_machine.travel(uk(2026, 3, 2, 9), tick=False):
        complaint = file_complaint(customer)
    log_in(client, customer)
    with time_machine.travel(uk(2026, 4, 20, 9), tick=False):
        page(client, complaint)
    with time_machine.travel(uk(2026, 4, 27, 12), tick=False):
        sweep.run()
        response = page(client, complaint)

    assertContains(response, "We wrote to tell you that you can take your complaint to the ombudsman")


def test_a_scheme_renamed_in_the_admin_shows_at_once_on_the_timeline(customer, client, agent):
    with time_machine.travel(uk(2026, 3, 2, 9), tick=False):
        complaint = file_complaint(customer)
    log_in(client, customer)
    with time_machine.travel(uk(2026, 4, 28, 12), tick=False):
        sweep.run()
        adr_services.record_referral(complaint=complaint, actor=customer, referred_on=date(2026, 4, 28))
        assertContains(page(client, complaint), "You took your complaint to Otelo")
        scheme = Scheme.objects.provider_scheme()
        scheme.short_name, scheme.short_name_takes_the = "Communications Ombudsman", True
        scheme.save()

        response = page(client, complaint)

    assertContains(response, "You took your complaint to the Communications Ombudsman")
    assertNotContains(response, "You took your complaint to Otelo")


def test_a_corrected_date_received_rereads_every_event_that_quotes_it(customer_client, complaint, agent):
    first_day = timezone.localdate(complaint.received_at)
    services.change_received_date(complaint=complaint, received_at=complaint.received_at - timedelta(days=2),
                                  reason="The customer rang two days earlier.", actor=agent)
    page(customer_client, complaint)
    services.change_received_date(complaint=complaint, received_at=complaint.received_at - timedelta(days=3),
                                  reason="They wrote even earlier.", actor=agent)

    response = page(customer_client, complaint)

    corrected = f"We now count from {(first_day - timedelta(days=3)):%-d %B %Y}."
    assert timeline_text(response).count(corrected) == 2
    assert events_rendered(response) == complaint.events.filter(visible_to_customer=True).count()


def test_an_event_committed_late_is_shown_in_its_place(customer_client, customer, agent):
    with time_machine.travel(uk(2026, 3, 2, 9), tick=False):
        complaint = file_complaint(customer)
    with time_machine.travel(uk(2026, 3, 2, 10), tick=False):
        services.add_staff_message(complaint=complaint, agent=agent, body="Second message.")
        page(customer_client, complaint)
    # An event that took its time to commit: a newer id, an older moment (the sweep writes as of its start).
    with time_machine.travel(uk(2026, 3, 2, 11), tick=False):
        Event.objects.create(complaint=complaint, kind=EventKind.MESSAGE, actor=agent, body="First message.",
                             summary="Message", created_at=uk(2026, 3, 2, 9, 30))
        text = timeline_text(page(customer_client, complaint))

    assert text.index("First message.") < text.index("Second message.")


def test_merging_a_duplicate_brings_its_events_into_the_kept_timeline(customer_client, customer, complaint, agent):
    duplicate = file_complaint(customer, description="I rang about the dropping meetings.")
    services.add_customer_message(complaint=duplicate, customer=customer, body="Said on the phone as well.")
    page(customer_client, complaint)
    services.merge_complaints(survivor=complaint, duplicate=duplicate, actor=agent)

    response = page(customer_client, complaint)

    assertContains(response, "Said on the phone as well.")
    assertContains(response, f"on complaint {duplicate.tracking_number}")


def test_a_new_deploy_renders_the_timeline_afresh(customer_client, complaint, settings):
    first = events_rendered(page(customer_client, complaint))
    settings.CODE_VERSION = "next-release"

    assert events_rendered(page(customer_client, complaint)) == first > 0


def test_anonymising_a_complaint_leaves_none_of_its_words_in_the_cache(customer, agent, client):
    complaint = story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 12))
    log_in(client, customer)
    assertContains(page(client, complaint), "My son uses the same account 4471.")
    assert cache.get(f"timeline:customer:{complaint.pk}") is not None

    retention.anonymise_expired(now=uk(2025, 1, 1))

    assert cache.get(f"timeline:customer:{complaint.pk}") is None


def test_erasing_a_duplicate_forgets_the_timeline_it_shows_on(customer, agent, customer_client, complaint):
    duplicate = file_complaint(customer, description="I rang about the dropping meetings.")
    services.merge_complaints(survivor=complaint, duplicate=duplicate, actor=agent)
    page(customer_client, complaint)
    duplicate.refresh_from_db()

    kept_timelines.forget(duplicate)

    assert cache.get(f"timeline:customer:{complaint.pk}") is None


def test_an_erasure_is_never_appended_to_words_kept_before_it(customer_client, complaint, customer):
    services.add_customer_message(complaint=complaint, customer=customer, body="My account is 4471.")
    page(customer_client, complaint)
    # What anonymisation does to events, without its forgetting: the page must not trust what it kept.
    complaint.events.erase_personal_data()
    Event.objects.create(complaint=complaint, kind=EventKind.ERASED, summary="Personal data erased")

    assertNotContains(page(customer_client, complaint), "4471")


@pytest.fixture
def dead_cache(settings):
    use_dead_redis_cache(settings)


def test_the_page_is_rendered_while_the_cache_is_down(customer_client, complaint, agent, dead_cache):
    services.add_staff_message(complaint=complaint, agent=agent, body="Could you send the meeting ID?")

    response = page(customer_client, complaint)

    assertContains(response, "Could you send the meeting ID?")


def test_a_closed_complaint_keeps_its_timeline_too(customer_client, complaint, agent):
    services.change_status(complaint=complaint, to=Status.INVESTIGATING, actor=agent)
    page(customer_client, complaint)
    services.withdraw_complaint(complaint=complaint, customer=complaint.customer, reason="Sorted by phone.")

    response = page(customer_client, complaint)

    assertContains(response, "You withdrew your complaint")
    assertContains(response, "Sorted by phone.")


def test_blank_forms_are_rendered_once_and_a_failed_reply_keeps_its_words(customer_client, complaint):
    page(customer_client, complaint)
    assert not [t.name for t in page(customer_client, complaint).templates if t.name.startswith("bootstrap5/")]

    response = customer_client.post(reverse("complaints:reply", args=[complaint.tracking_number]),
                                    {"body": "x" * 10_001})

    assertContains(response, "x" * 10_001)
    assertContains(response, "Ensure this value has at most 10000 characters")
