import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User
from complaints import outbox
from complaints.models import Channel, EmailKind, OutgoingEmail
from tests.accounts.conftest import signup_data
from tests.conftest import PASSWORD, file_complaint

pytestmark = pytest.mark.django_db
SIGNUP = reverse("accounts:signup")


def claim_emails(to):
    return OutgoingEmail.objects.filter(kind=EmailKind.OTHER, to=to)


def link_in(text):
    [link] = re.findall(re.escape(settings.SITE_URL) + r"(/\S+)", text)
    return link


def test_claimed_record_lets_the_customer_log_in_and_see_the_complaint_staff_logged(client, phone_customer, agent):
    complaint = file_complaint(phone_customer, channel=Channel.PHONE, logged_by=agent)

    response = client.post(SIGNUP, signup_data(email="Pat.Phone@example.com", full_name="Impostor"))

    assert response.url == reverse("accounts:claim_sent")
    assert "_auth_user_id" not in client.session
    [email] = claim_emails("pat.phone@example.com")
    assert outbox.deliver(email.pk) == "sent"
    [message] = mail.outbox
    assert message.to == ["pat.phone@example.com"]
    assert "Set your password" in message.subject
    link = link_in(message.body)
    assert f'href="{settings.SITE_URL}{link}"' in message.alternatives[0][0]

    set_password_page = client.get(link, follow=True)
    assert set_password_page.context["validlink"]
    done = client.post(set_password_page.redirect_chain[-1][0], {
        "new_password1": "a-brand-new-passphrase-77", "new_password2": "a-brand-new-passphrase-77",
    })
    assert done.url == reverse("accounts:password_reset_complete")

    logged_in = client.post(reverse("accounts:login"), {
        "username": "pat.phone@example.com", "password": "a-brand-new-passphrase-77",
    })
    assert logged_in.url == reverse("complaints:mine")
    mine = client.get(reverse("complaints:mine"))
    assert complaint.tracking_number in mine.text
    phone_customer.refresh_from_db()
    assert phone_customer.full_name == "Pat Phone"  # what the sign-up form said was not applied


def test_signing_up_with_an_unclaimed_email_reveals_nothing_and_sets_no_password(client, phone_customer):
    response = client.post(SIGNUP, signup_data(email="pat.phone@example.com"), follow=True)

    assert "Check your email" in response.text
    assert "Pat Phone" not in response.text
    assert "0113 496 0000" not in response.text
    phone_customer.refresh_from_db()
    assert not phone_customer.has_usable_password()
    assert not client.login(username="pat.phone@example.com", password=PASSWORD)


def test_an_incomplete_form_is_answered_as_for_a_new_address_and_sends_nothing(client, phone_customer):
    # Sending the link on the address alone would answer differently from a new address, and so
    # tell anyone which addresses staff hold.
    unclaimed = client.post(SIGNUP, {"email": "pat.phone@example.com"})
    new = client.post(SIGNUP, {"email": "nobody.yet@example.com"})

    assert unclaimed.status_code == new.status_code == 200
    assert unclaimed.context["form"].errors == new.context["form"].errors
    assert not claim_emails("pat.phone@example.com").exists()


def test_claim_link_works_only_once(client, phone_customer):
    client.post(SIGNUP, signup_data(email="pat.phone@example.com"))
    link = link_in(claim_emails("pat.phone@example.com").get().text_body)
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "a-brand-new-passphrase-77", "new_password2": "a-brand-new-passphrase-77",
    })

    again = client.get(link, follow=True)

    assert not again.context["validlink"]
    assert "This link no longer works" in again.text


def test_staff_record_without_password_cannot_be_claimed(client, agent):
    agent.set_unusable_password()
    agent.save()

    response = client.post(SIGNUP, signup_data(email=agent.email))

    assert response.url == reverse("accounts:claim_sent")
    [told] = claim_emails(agent.email)
    assert "Set your password" not in told.subject
    assert "tried to sign up" in told.subject
    agent.refresh_from_db()
    assert not agent.has_usable_password()


def test_deactivated_record_cannot_be_claimed(client, phone_customer):
    User.objects.filter(pk=phone_customer.pk).update(is_active=False)

    response = client.post(SIGNUP, signup_data(email="pat.phone@example.com"))

    assert response.url == reverse("accounts:claim_sent")
    assert not claim_emails("pat.phone@example.com").exists()
    phone_customer.refresh_from_db()
    assert not phone_customer.is_active and not phone_customer.has_usable_password()
