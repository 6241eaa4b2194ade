from datetime import UTC, date, datetime

import time_machine
from django.urls import reverse

from complaints.models import Product
from complaints_portal.views import SERVICES
from ombudsman.models import WaitingPeriodPolicy

from .helpers import page_text


def test_home_explains_the_three_ways_to_complain(client, db, settings):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert reverse("complaints:new") in response.content.decode()
    text = page_text(response)
    assert settings.PROVIDER["phone"] in text
    assert settings.PROVIDER["postal_address"] in text


def test_home_explains_what_happens_next(client, db):
    text = page_text(client.get(reverse("home")))

    assert "You get a tracking number straight away." in text
    assert "We acknowledge your complaint" in text
    assert "We investigate" in text


def test_home_names_the_provider_scheme_from_the_database(client, provider_scheme):
    provider_scheme.name = "Communications Ombudsman"
    provider_scheme.short_name = "the Communications Ombudsman"
    provider_scheme.phone = "0330 440 1614"
    provider_scheme.save()

    text = page_text(client.get(reverse("home")))

    assert "you can take it to the Communications Ombudsman" in text
    assert "0330 440 1614" in text
    assert "Otelo" not in text
    assert "0845 050 1614" not in text


def test_home_says_the_scheme_is_free_and_independent(client, provider_scheme):
    text = page_text(client.get(reverse("home")))

    assert f"you can take it to the {provider_scheme.name}" in text
    assert "It is free for you." in text
    assert "It is independent" in text
    assert "reached deadlock" in text


def test_home_says_large_businesses_have_no_right_to_the_scheme(client, provider_scheme):
    text = page_text(client.get(reverse("home")))

    assert "Businesses with more than 10 workers don't" in text


def test_home_renders_without_a_provider_scheme(client, provider_scheme):
    provider_scheme.is_provider_scheme = False
    provider_scheme.save()

    response = client.get(reverse("home"))

    assert response.status_code == 200
    text = page_text(response)
    assert provider_scheme.name not in text
    assert "after 8 weeks" in text


def test_home_shows_the_eight_week_waiting_period_by_default(client, db):
    text = page_text(client.get(reverse("home")))

    assert "The clock: 8 weeks" in text
    assert "after 8 weeks" in text


@time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False)
def test_home_shows_six_weeks_when_a_42_day_policy_is_in_force_today(client, db):
    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 6, 1), days=42)

    text = page_text(client.get(reverse("home")))

    assert "The clock: 6 weeks" in text
    assert "8 weeks" not in text


@time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False)
def test_home_ignores_a_policy_that_starts_tomorrow(client, db):
    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 6, 2), days=42)

    text = page_text(client.get(reverse("home")))

    assert "The clock: 8 weeks" in text


# 23:30 UTC on 31 May is already 1 June in the UK (British Summer Time).
@time_machine.travel(datetime(2026, 5, 31, 23, 30, tzinfo=UTC), tick=False)
def test_home_reads_the_policy_for_todays_uk_date(client, db):
    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 6, 1), days=42)

    text = page_text(client.get(reverse("home")))

    assert "The clock: 6 weeks" in text


def test_home_lists_the_five_services_by_their_product_names(client, db):
    text = page_text(client.get(reverse("home")))

    names = [Product.GOTOMEETING, Product.GOTOASSIST, Product.GOTOMYPC, Product.GOTOTRAINING, Product.GOTOWEBINAR]
    assert list(SERVICES) == names
    for product in names:
        assert f"{product.label} {SERVICES[product]}" in text
    assert "Do-it-yourself webinars with up to 1,000 attendees online." in text


@time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False)
def test_home_shows_days_when_the_period_is_not_whole_weeks(client, db):
    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 6, 1), days=45)

    text = page_text(client.get(reverse("home")))

    assert "The clock: 45 days" in text
