import pytest
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from accounts.models import CustomerType, User
from tests.accounts.conftest import signup_data
from tests.conftest import PASSWORD, make_customer

pytestmark = pytest.mark.django_db
SIGNUP = reverse("accounts:signup")


def test_signup_saves_the_customer_awaiting_confirmation_and_asks_them_to_check_their_email(client):
    response = client.post(SIGNUP, signup_data(email="Sam.New@Example.com "))

    assert response.status_code == 302
    assert response.url == reverse("accounts:claim_sent")
    user = User.objects.get(email="sam.new@example.com")
    assert user.full_name == "Sam New"
    assert user.postcode == "LS1 5AB"
    assert user.customer_type == CustomerType.DOMESTIC
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    assert user.awaiting_confirmation and not user.is_active
    assert "_auth_user_id" not in client.session


def test_signup_without_support_needs_records_no_consent(client):
    client.post(SIGNUP, signup_data())

    user = User.objects.get(email="sam.new@example.com")
    assert user.support_consent_at is None
    assert not user.has_support_consent


def test_signup_with_consent_keeps_support_needs_and_when_consent_was_given(client):
    client.post(SIGNUP, signup_data(
        support_consent="on", accessibility_needs="I use a screen reader.", vulnerable="on",
        vulnerability_notes="Recently bereaved.", preferred_format="large_print",
    ))

    user = User.objects.get(email="sam.new@example.com")
    assert user.support_consent_at is not None
    assert user.accessibility_needs == "I use a screen reader."
    assert user.vulnerable
    assert user.vulnerability_notes == "Recently bereaved."
    assert user.wants_large_print


def test_support_needs_without_consent_are_refused_and_kept_in_the_form(client):
    response = client.post(SIGNUP, signup_data(
        accessibility_needs="I use a screen reader.", vulnerable="on", preferred_format="large_print",
    ))

    assert response.status_code == 200
    assert not User.objects.filter(email="sam.new@example.com").exists()
    assert "support_consent" in response.context["form"].errors
    assert "We can only keep support needs with your consent" in response.text
    assert "I use a screen reader." in response.text
    assertInHTML('<input type="radio" class="form-check-input" name="preferred_format" value="large_print" '
                 'id="id_preferred_format_1" required checked>', response.text)
    assertInHTML('<input type="checkbox" name="vulnerable" class="checkboxinput form-check-input" '
                 'id="id_vulnerable" checked>', response.text)


def test_other_format_needs_a_description(client):
    response = client.post(SIGNUP, signup_data(support_consent="on", preferred_format="other"))

    assert response.context["form"].errors["accessibility_needs"] == ["Tell us which format you need."]


def test_small_business_signs_up_with_adr_rights(client):
    client.post(SIGNUP, signup_data(customer_type="business", business_name="Tiny Ltd", business_workers="10"))

    user = User.objects.get(email="sam.new@example.com")
    assert user.customer_type == CustomerType.BUSINESS
    assert user.business_workers == 10
    assert user.has_adr_rights


def test_business_without_workers_is_refused_with_the_reason(client):
    response = client.post(SIGNUP, signup_data(customer_type="business", business_name="Tiny Ltd"))

    assert response.status_code == 200
    assert not User.objects.filter(email="sam.new@example.com").exists()
    [error] = response.context["form"].errors["business_workers"]
    assert "number of people who work for the business" in error
    assert "10 or fewer workers have the right to take complaints to the ombudsman (ADR)" in error


def test_business_needs_its_name(client):
    response = client.post(SIGNUP, signup_data(customer_type="business", business_workers="3"))

    assert response.context["form"].errors["business_name"] == ["Give the business's name."]


def test_business_with_no_workers_at_all_is_refused(client):
    response = client.post(SIGNUP, signup_data(customer_type="business", business_name="Tiny Ltd",
                                               business_workers="0"))

    assert "business_workers" in response.context["form"].errors


def test_domestic_customer_keeps_no_business_details(client):
    client.post(SIGNUP, signup_data(business_name="Leftover Ltd", business_workers="500"))

    user = User.objects.get(email="sam.new@example.com")
    assert user.business_name == ""
    assert user.business_workers is None
    assert user.has_adr_rights


def test_post_preference_needs_an_address(client):
    response = client.post(SIGNUP, signup_data(preferred_contact="post", address="", postcode=""))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["address"] == ["To get letters by post, give a postal address."]
    assert errors["postcode"] == ["To get letters by post, give a postcode."]
    assert not User.objects.filter(email="sam.new@example.com").exists()


def test_post_preference_with_an_address_is_accepted(client):
    client.post(SIGNUP, signup_data(preferred_contact="post"))

    assert User.objects.get(email="sam.new@example.com").preferred_contact == "post"


@pytest.mark.parametrize(("field", "value"), [("postcode", "NOT A CODE"), ("phone", "call me maybe")])
def test_malformed_postcode_or_phone_is_refused(client, field, value):
    response = client.post(SIGNUP, signup_data(**{field: value}))

    assert field in response.context["form"].errors


def test_weak_or_mismatched_password_is_refused(client):
    weak = client.post(SIGNUP, signup_data(password1="password", password2="password"))
    mismatched = client.post(SIGNUP, signup_data(password2=PASSWORD + "x"))

    assert "password2" in weak.context["form"].errors
    assert "password2" in mismatched.context["form"].errors
    assert not User.objects.filter(email="sam.new@example.com").exists()


def test_email_of_an_existing_account_is_never_an_error_and_other_errors_keep_what_was_typed(client):
    make_customer("sam.new@example.com", "Sam Already")

    response = client.post(SIGNUP, signup_data(email="SAM.NEW@example.com", postcode="NOT A CODE"))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["postcode"]
    assert "already exists" not in response.text
    new = client.post(SIGNUP, signup_data(email="someone.else@example.com", postcode="NOT A CODE"))
    assert response.context["form"].errors == new.context["form"].errors
    assert 'value="SAM.NEW@example.com"' in response.text
    assert 'value="NOT A CODE"' in response.text
    assert User.objects.filter(email="sam.new@example.com").count() == 1
    assert "_auth_user_id" not in client.session


def test_signup_keeps_a_safe_next_address_for_the_log_in_link(client):
    response = client.get(SIGNUP + "?next=/complaints/new/")

    assert 'href="/accounts/login/?next=/complaints/new/"' in response.text


@pytest.mark.parametrize("next_url", ["/complaints/new/", "https://evil.example.com/"])
def test_signup_lands_on_check_your_email_whatever_next_says(client, next_url):
    response = client.post(SIGNUP, signup_data(next=next_url))

    assert response.url == reverse("accounts:claim_sent")


def test_signup_page_explains_adr_rights_and_consent(client):
    response = client.get(SIGNUP)

    assert response.status_code == 200
    assert "10 or fewer workers have the right" in response.text
    assert "Support needs" in response.text
    assert "withdraw your consent" in response.text

