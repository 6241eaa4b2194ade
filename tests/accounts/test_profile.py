import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import PreferredFormat
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db
PROFILE = reverse("accounts:profile")


def profile_data(user, **overrides):
    data = {
        "full_name": user.full_name, "phone": user.phone, "address": user.address, "postcode": user.postcode,
        "customer_type": user.customer_type, "business_name": user.business_name,
        "business_workers": user.business_workers or "", "preferred_contact": user.preferred_contact,
        "accessibility_needs": user.accessibility_needs, "vulnerability_notes": user.vulnerability_notes,
        "preferred_format": user.preferred_format,
    }
    if user.vulnerable:
        data["vulnerable"] = "on"
    if user.has_support_consent:
        data["support_consent"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def supported_customer(db):
    return make_customer(
        "sue.support@example.com", "Sue Support", support_consent_at=timezone.now(),
        accessibility_needs="Large print, please.", vulnerable=True, vulnerability_notes="Partially sighted.",
        preferred_format=PreferredFormat.LARGE_PRINT,
    )


def test_profile_needs_a_login(client, db):
    response = client.get(PROFILE)

    assert response.url.startswith(reverse("accounts:login"))


def test_profile_shows_the_customers_details_and_says_email_cannot_change(client, customer):
    client.force_login(customer)

    response = client.get(PROFILE)

    assert response.status_code == 200
    assert customer.email in response.text
    assert 'value="Dana Customer"' in response.text
    assert "It cannot be changed online" in response.text


def test_customer_edits_their_details(client, customer):
    client.force_login(customer)

    response = client.post(PROFILE, profile_data(
        customer, full_name="Dana Q Customer", phone="07700 900999", customer_type="business",
        business_name="Dana's Bakery", business_workers="11", preferred_contact="post",
    ))

    assert response.url == PROFILE
    customer.refresh_from_db()
    assert customer.full_name == "Dana Q Customer"
    assert customer.phone == "07700 900999"
    assert customer.business_name == "Dana's Bakery"
    assert customer.preferred_contact == "post"
    assert not customer.has_adr_rights


def test_failed_edit_keeps_what_was_typed_and_saves_nothing(client, customer):
    client.force_login(customer)

    response = client.post(PROFILE, profile_data(customer, full_name="Dana Renamed", customer_type="business",
                                                  business_name="Dana's Bakery"))

    assert response.status_code == 200
    assert "business_workers" in response.context["form"].errors
    assert 'value="Dana Renamed"' in response.text
    customer.refresh_from_db()
    assert customer.full_name == "Dana Customer"


def test_giving_consent_on_the_profile_keeps_support_needs(client, customer):
    client.force_login(customer)

    client.post(PROFILE, profile_data(customer, support_consent="on", accessibility_needs="Phone me, please."))

    customer.refresh_from_db()
    assert customer.has_support_consent
    assert customer.accessibility_needs == "Phone me, please."


def test_support_needs_without_consent_are_refused_on_the_profile(client, customer):
    client.force_login(customer)

    response = client.post(PROFILE, profile_data(customer, accessibility_needs="Phone me, please."))

    assert "support_consent" in response.context["form"].errors
    assert "Phone me, please." in response.text
    customer.refresh_from_db()
    assert customer.accessibility_needs == ""


def test_keeping_consent_keeps_the_date_it_was_given(client, supported_customer):
    given_at = supported_customer.support_consent_at
    client.force_login(supported_customer)

    client.post(PROFILE, profile_data(supported_customer, accessibility_needs="Large print and email."))

    supported_customer.refresh_from_db()
    assert supported_customer.support_consent_at == given_at
    assert supported_customer.accessibility_needs == "Large print and email."


def test_withdrawing_consent_erases_the_support_needs(client, supported_customer):
    client.force_login(supported_customer)
    # The fields still hold the details when the customer unticks the box.
    data = profile_data(supported_customer)
    del data["support_consent"]

    response = client.post(PROFILE, data, follow=True)

    assert "we have erased your support needs" in response.text
    supported_customer.refresh_from_db()
    assert supported_customer.support_consent_at is None
    assert supported_customer.accessibility_needs == ""
    assert not supported_customer.vulnerable
    assert supported_customer.vulnerability_notes == ""
    assert supported_customer.preferred_format == PreferredFormat.STANDARD
    assert not supported_customer.wants_large_print


def test_profile_says_whether_the_customer_has_adr_rights(client, customer, large_business_customer):
    client.force_login(customer)
    assert "You have the right to take a complaint" in client.get(PROFILE).text

    client.force_login(large_business_customer)
    assert "you do not have the right to take complaints to the ombudsman" in client.get(PROFILE).text


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_are_sent_to_the_admin(client, agent, method):
    client.force_login(agent)

    response = getattr(client, method)(PROFILE, {"full_name": "Changed"} if method == "post" else None)

    assert response.url == reverse("admin:index")
    agent.refresh_from_db()
    assert agent.full_name == "Alex Agent"
