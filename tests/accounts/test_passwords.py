import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from complaints import outbox
from complaints.models import EmailKind, OutgoingEmail
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-long-passphrase-93"


def test_password_reset_emails_a_link_that_sets_a_new_password(client, customer):
    response = client.post(reverse("accounts:password_reset"), {"email": "DANA.customer@example.com"})

    assert response.url == reverse("accounts:password_reset_done")
    [email] = OutgoingEmail.objects.filter(kind=EmailKind.OTHER, to=customer.email)
    assert "Reset your password" in email.subject
    assert outbox.deliver(email.pk) == "sent"
    [message] = mail.outbox
    [link] = re.findall(re.escape(settings.SITE_URL) + r"(/\S+)", message.body)
    assert link in message.alternatives[0][0]

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.url == reverse("accounts:password_reset_complete")
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)
    assert client.login(username=customer.email, password=NEW_PASSWORD)


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    assert response.url == reverse("accounts:password_reset_done")
    assert not OutgoingEmail.objects.exists()


def test_password_reset_sends_nothing_to_an_unclaimed_record(client, phone_customer):
    client.post(reverse("accounts:password_reset"), {"email": phone_customer.email})

    assert not OutgoingEmail.objects.exists()


def test_reset_page_points_unclaimed_customers_to_sign_up(client, db):
    response = client.get(reverse("accounts:password_reset_done"))

    assert reverse("accounts:signup") in response.text


def test_logged_in_customer_changes_their_password(client, customer):
    client.force_login(customer)

    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })

    assert response.url == reverse("accounts:password_change_done")
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(customer.pk)  # still logged in


def test_password_change_needs_the_old_password(client, customer):
    client.force_login(customer)

    response = client.post(reverse("accounts:password_change"), {
        "old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })

    assert "old_password" in response.context["form"].errors
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_password_change_needs_a_login(client, db):
    response = client.get(reverse("accounts:password_change"))

    assert response.url.startswith(reverse("accounts:login"))
