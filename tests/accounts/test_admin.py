import pytest
from django.urls import reverse

from accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
ADD = reverse("admin:accounts_user_add")


def add_data(**overrides):
    data = {
        "email": "", "full_name": "Lee Letter", "phone": "", "address": "3 Mill Lane\nYork", "postcode": "YO1 7HH",
        "preferred_contact": "post", "customer_type": "domestic", "business_name": "", "business_workers": "",
        "accessibility_needs": "", "vulnerability_notes": "", "preferred_format": "standard",
        "usable_password": "false", "password1": "", "password2": "",
    }
    data.update(overrides)
    return data


def test_staff_create_a_letter_customer_without_email_or_password(admin_client):
    form = admin_client.get(ADD).context["adminform"].form
    assert form["usable_password"].value() == "false"

    response = admin_client.post(ADD, add_data())

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(full_name="Lee Letter")
    assert user.email is None
    assert not user.has_usable_password()
    assert not user.is_staff


def test_staff_create_a_phone_customer_with_email_who_can_claim_later(admin_client):
    admin_client.post(ADD, add_data(email="Lee.Letter@Example.com", preferred_contact="email"))

    user = User.objects.get(email="lee.letter@example.com")
    assert not user.is_claimed


def test_customer_without_email_must_prefer_post(admin_client):
    response = admin_client.post(ADD, add_data(preferred_contact="email"))

    form = response.context["adminform"].form
    assert form.errors["preferred_contact"] == ["Without an email address, letters can only go by post."]


def test_admin_refuses_a_business_without_its_size(admin_client):
    response = admin_client.post(ADD, add_data(customer_type="business", business_name="Letter Ltd"))

    assert "business_workers" in response.context["adminform"].form.errors
    assert not User.objects.filter(full_name="Lee Letter").exists()


def test_admin_refuses_a_password_without_an_email(admin_client):
    response = admin_client.post(ADD, add_data(usable_password="true", password1=PASSWORD, password2=PASSWORD))

    assert "email" in response.context["adminform"].form.errors


def test_admin_refuses_an_email_already_in_use_whatever_its_case(admin_client, customer):
    response = admin_client.post(ADD, add_data(email="DANA.customer@example.com"))

    assert "email" in response.context["adminform"].form.errors


def test_admin_records_support_needs_only_with_consent(admin_client):
    refused = admin_client.post(ADD, add_data(accessibility_needs="Braille."))
    assert "support_consent" in refused.context["adminform"].form.errors

    admin_client.post(ADD, add_data(accessibility_needs="Braille.", support_consent="on", preferred_format="other"))

    user = User.objects.get(full_name="Lee Letter")
    assert user.has_support_consent
    assert user.accessibility_needs == "Braille."


def test_unticking_consent_in_the_admin_erases_support_needs(admin_client):
    admin_client.post(ADD, add_data(accessibility_needs="Braille.", support_consent="on"))
    user = User.objects.get(full_name="Lee Letter")
    change = reverse("admin:accounts_user_change", args=[user.pk])
    form = admin_client.get(change).context["adminform"].form
    # Post the page back as it was shown, with the consent box unticked.
    data = {name: value for name, value in form.initial.items()
            if name in form.fields and value is not None and name not in ("password", "support_consent")}
    assert data["accessibility_needs"] == "Braille."

    response = admin_client.post(change, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.has_support_consent
    assert user.accessibility_needs == ""


def test_admin_finds_customers_by_email_and_filters_by_type(admin_client, customer, large_business_customer):
    changelist = reverse("admin:accounts_user_changelist")

    found = admin_client.get(changelist, {"q": "dana.customer"})
    businesses = admin_client.get(changelist, {"customer_type__exact": "business"})

    assert list(found.context["cl"].result_list) == [customer]
    assert list(businesses.context["cl"].result_list) == [large_business_customer]


def test_admin_change_page_shows_the_customer_sections(admin_client, customer):
    response = admin_client.get(reverse("admin:accounts_user_change", args=[customer.pk]))

    assert response.status_code == 200
    for heading in ("Contact details", "Customer type", "Support needs", "Permissions"):
        assert heading in response.text
