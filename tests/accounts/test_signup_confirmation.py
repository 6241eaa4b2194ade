"""Sign-up confirms the address before the account can log in, and answers the same for any address."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import User
from complaints.models import Complaint, EmailKind, OutgoingEmail
from privacy import retention
from tests.accounts.conftest import signup_data
from tests.conftest import PASSWORD, file_complaint, make_customer

pytestmark = pytest.mark.django_db
SIGNUP = reverse("accounts:signup")
LOGIN = reverse("accounts:login")
CHECK_YOUR_EMAIL = reverse("accounts:claim_sent")
RESEND = reverse("accounts:resend_confirmation")
NEW_COMPLAINT = reverse("complaints:new")
OTHER_PASSWORD = "another-long-passphrase-93"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def emails_to(address):
    return OutgoingEmail.objects.filter(to=address).order_by("pk")


def link_in(email):
    """Read the link from an email's text, as the customer reading their inbox would."""
    [link] = re.findall(re.escape(settings.SITE_URL) + r"(/accounts/signup/confirm/\S+)", email.text_body)
    assert f'href="{settings.SITE_URL}{link}"' in email.html_body
    return link


def confirmation_link_for(address):
    [email] = emails_to(address).filter(subject__startswith="Confirm your email address")
    return link_in(email)


def answer(client, data):
    """Return what someone signing up sees: status, where it sends them, cookies, and the page there."""
    response = client.post(SIGNUP, data)
    page = client.get(response["Location"]) if response.status_code == 302 else response
    return {
        "status": response.status_code, "location": response.get("Location"),
        "cookies": sorted(response.cookies), "page status": page.status_code,
        "page": CSRF_TOKEN.sub("", page.content.decode()),
    }


def login_page_after(client, email, password):
    response = client.post(LOGIN, {"username": email, "password": password})
    return response.status_code, CSRF_TOKEN.sub("", response.content.decode())


# --- a new address ------------------------------------------------------------------------


def test_a_new_address_gets_an_account_that_cannot_log_in_and_a_link_without_personal_data(client):
    response = client.post(SIGNUP, signup_data(phone="0113 496 0001", address="2 Park Row\nLeeds",
                                               support_consent="on", accessibility_needs="I use a screen reader."))

    assert response.url == CHECK_YOUR_EMAIL
    user = User.objects.get(email="sam.new@example.com")
    assert user.awaiting_confirmation and not user.is_active and not user.is_claimed
    assert not Client().login(username="sam.new@example.com", password=PASSWORD)
    [email] = emails_to("sam.new@example.com")
    assert email.kind == EmailKind.OTHER and email.complaint is None
    assert email.subject == "Confirm your email address for the LogMeIn complaints portal"
    assert link_in(email)
    assert f"for {settings.SIGNUP_CONFIRMATION_HOURS} hours" in email.text_body
    # Whoever owns the mailbox may not be who signed up: nothing they typed goes there.
    for typed in ("Sam", "0113 496 0001", "Park Row", "LS1 5AB", "screen reader"):
        assert typed not in email.text_body and typed not in email.html_body and typed not in email.subject


def test_the_check_your_email_page_explains_the_link_and_offers_a_new_one(client):
    response = client.post(SIGNUP, signup_data(), follow=True)

    assert "Check your email" in response.text
    assert "logs you in and takes you straight to the complaint form" in response.text
    assert f"for {settings.SIGNUP_CONFIRMATION_HOURS} hours" in response.text
    assert RESEND in response.text


def test_the_link_confirms_the_address_logs_in_and_lands_on_the_complaint_form(client):
    client.post(SIGNUP, signup_data())
    link = confirmation_link_for("sam.new@example.com")

    response = Client().post(link)  # the link works in any browser, not only the one that signed up

    assert response.status_code == 302 and response.url == NEW_COMPLAINT
    user = User.objects.get(email="sam.new@example.com")
    assert user.is_active and not user.awaiting_confirmation and user.is_claimed
    assert Client().login(username="sam.new@example.com", password=PASSWORD)


def test_following_the_link_lands_on_the_complaint_form_with_a_welcome_and_the_complaint_is_acknowledged(client):
    client.post(SIGNUP, signup_data())
    link = confirmation_link_for("sam.new@example.com")

    landed = client.post(link, follow=True)

    assert landed.redirect_chain == [(NEW_COMPLAINT, 302)]
    assert landed.status_code == 200
    assert "your email address is confirmed and you are logged in" in landed.text
    assert client.session["_auth_user_id"] == str(User.objects.get(email="sam.new@example.com").pk)
    filed = client.post(NEW_COMPLAINT, {"product": "gotomeeting", "category": "service_fault",
                                        "description": "Calls drop.", "desired_outcome": "Fix it."})
    assert filed.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.emails.get(kind=EmailKind.ACKNOWLEDGEMENT).to == "sam.new@example.com"


def test_an_unconfirmed_account_cannot_file_a_complaint_nor_be_written_to(client):
    client.post(SIGNUP, signup_data())
    user = User.objects.get(email="sam.new@example.com")

    browser = Client()
    browser.force_login(user)  # even a session made for it is refused: the account is inactive
    response = browser.get(NEW_COMPLAINT)
    posted = browser.post(NEW_COMPLAINT, {"product": "gotomeeting", "category": "service_fault",
                                          "description": "Calls drop.", "desired_outcome": "Fix it."})

    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert posted.status_code == 302 and posted.url.startswith(LOGIN)
    assert not Complaint.objects.exists()
    assert [email.subject for email in emails_to("sam.new@example.com")] == [
        "Confirm your email address for the LogMeIn complaints portal"]


# --- a link that no longer works ----------------------------------------------------------


def test_a_used_link_says_so_and_offers_a_new_one(client):
    client.post(SIGNUP, signup_data())
    link = confirmation_link_for("sam.new@example.com")
    Client().post(link)

    response = Client().post(link)

    assert response.status_code == 200
    assert "This link has already been used" in response.text
    assert f'action="{RESEND}"' in response.text
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_used_link_opened_again_by_its_owner_goes_back_to_the_complaint_form(client):
    client.post(SIGNUP, signup_data())
    link = confirmation_link_for("sam.new@example.com")
    client.post(link)

    response = client.post(link)

    assert response.status_code == 302 and response.url == NEW_COMPLAINT


def test_an_expired_link_says_so_and_confirms_nothing(client):
    with time_machine.travel(timezone.now() - timedelta(hours=settings.SIGNUP_CONFIRMATION_HOURS, minutes=1)):
        client.post(SIGNUP, signup_data())
    link = confirmation_link_for("sam.new@example.com")

    response = client.post(link)

    assert response.status_code == 200
    assert "This link has expired" in response.text
    assert f"works for {settings.SIGNUP_CONFIRMATION_HOURS} hours" in response.text
    assert f'action="{RESEND}"' in response.text
    assert User.objects.get(email="sam.new@example.com").awaiting_confirmation
    assert "_auth_user_id" not in client.session


def test_a_link_just_inside_its_lifetime_still_works(client):
    with time_machine.travel(timezone.now() - timedelta(hours=settings.SIGNUP_CONFIRMATION_HOURS, minutes=-1)):
        client.post(SIGNUP, signup_data())

    response = client.post(confirmation_link_for("sam.new@example.com"))

    assert response.url == NEW_COMPLAINT


@pytest.mark.parametrize("token", ["nonsense", "1.abc:1tXyz:forged", "1.abc", "%00", "a:b:c:d", "é" * 40])
def test_a_link_we_did_not_make_says_it_does_not_work(client, token):
    client.post(SIGNUP, signup_data())

    response = client.post(reverse("accounts:confirm_sign_up", args=[token]))

    assert response.status_code == 200
    assert "This link does not work" in response.text
    assert User.objects.get(email="sam.new@example.com").awaiting_confirmation


def test_a_token_for_another_account_with_a_forged_id_does_not_work(client, customer):
    client.post(SIGNUP, signup_data())
    token = confirmation_link_for("sam.new@example.com").split("/")[-2]
    pk, _, rest = token.partition(".")

    response = client.post(reverse("accounts:confirm_sign_up", args=[f"{customer.pk}.{rest}"]))

    assert "This link does not work" in response.text


def test_a_staff_account_is_never_confirmed_by_a_link(client, agent):
    User.objects.filter(pk=agent.pk).update(is_active=False, awaiting_confirmation=True)
    agent.refresh_from_db()

    response = client.post(services.confirmation_link(agent).removeprefix(settings.SITE_URL))

    assert "This link has already been used" in response.text
    agent.refresh_from_db()
    assert not agent.is_active and "_auth_user_id" not in client.session


# --- a taken address ----------------------------------------------------------------------


@pytest.fixture
def addresses(customer, agent, phone_customer):
    """Every kind of address sign-up can meet, with the data to sign up with it."""
    return {
        "new": "nobody.yet@example.com",
        "customer": customer.email,
        "staff": agent.email,
        "unclaimed record": phone_customer.email,
    }


def test_a_new_and_a_taken_address_get_exactly_the_same_answer(addresses):
    answers = {kind: answer(Client(), signup_data(email=address)) for kind, address in addresses.items()}

    assert answers["new"]["location"] == CHECK_YOUR_EMAIL
    for kind in ("customer", "staff", "unclaimed record"):
        assert answers[kind] == answers["new"], kind


def test_a_sign_up_awaiting_confirmation_gets_the_same_answer_too():
    first = answer(Client(), signup_data())
    again = answer(Client(), signup_data(password1=OTHER_PASSWORD, password2=OTHER_PASSWORD))

    assert again == first


def test_a_taken_address_creates_nothing_changes_nothing_and_tells_the_owner(client, customer):
    before = list(User.objects.order_by("pk").values())

    client.post(SIGNUP, signup_data(email="Dana.Customer@example.com", full_name="Impostor",
                                    password1=OTHER_PASSWORD, password2=OTHER_PASSWORD))

    assert list(User.objects.order_by("pk").values()) == before
    assert "_auth_user_id" not in client.session
    [email] = emails_to(customer.email)
    assert email.subject == "Someone tried to sign up to the LogMeIn complaints portal with your email address"
    assert "Dear Dana Customer" in email.text_body
    assert "Impostor" not in email.text_body
    assert f"{settings.SITE_URL}{LOGIN}" in email.text_body
    assert f"{settings.SITE_URL}{reverse('accounts:password_reset')}" in email.text_body
    assert f'href="{settings.SITE_URL}{LOGIN}"' in email.html_body
    assert Client().login(username=customer.email, password=PASSWORD)
    assert not Client().login(username=customer.email, password=OTHER_PASSWORD)


def test_a_staff_address_tells_the_staff_member_and_gives_no_customer_account(client, agent):
    client.post(SIGNUP, signup_data(email=agent.email))

    [email] = emails_to(agent.email)
    assert "tried to sign up" in email.subject
    agent.refresh_from_db()
    assert agent.is_staff and agent.is_active and not agent.awaiting_confirmation
    assert User.objects.filter(email=agent.email).count() == 1


def test_an_unclaimed_record_gets_its_claim_link_and_nothing_typed_is_applied(client, phone_customer):
    client.post(SIGNUP, signup_data(email=phone_customer.email, full_name="Impostor"))

    [email] = emails_to(phone_customer.email)
    assert "Set your password" in email.subject
    phone_customer.refresh_from_db()
    assert phone_customer.full_name == "Pat Phone" and not phone_customer.has_usable_password()
    assert phone_customer.is_active and not phone_customer.awaiting_confirmation


def test_a_closed_account_gets_the_same_answer_and_nothing_is_sent(client, customer):
    User.objects.filter(pk=customer.pk).update(is_active=False, password="!closed")

    response = client.post(SIGNUP, signup_data(email=customer.email))

    assert response.url == CHECK_YOUR_EMAIL
    assert not emails_to(customer.email).exists()
    customer.refresh_from_db()
    assert not customer.is_active and not customer.awaiting_confirmation


# --- signing up again before confirming ---------------------------------------------------


def test_signing_up_again_replaces_the_waiting_sign_up_and_only_the_latest_link_works(client):
    client.post(SIGNUP, signup_data(full_name="First Try"))
    first_link = link_in(emails_to("sam.new@example.com").get())
    client.post(SIGNUP, signup_data(full_name="Second Try", password1=OTHER_PASSWORD, password2=OTHER_PASSWORD))
    second_link = link_in(emails_to("sam.new@example.com").last())

    assert User.objects.filter(email="sam.new@example.com").count() == 1
    assert "This link has already been used" in Client().post(first_link).text
    assert Client().post(second_link).url == NEW_COMPLAINT
    user = User.objects.get(email="sam.new@example.com")
    assert user.full_name == "Second Try"
    assert user.check_password(OTHER_PASSWORD) and not user.check_password(PASSWORD)


def test_someone_who_signs_up_first_with_anothers_address_never_knows_the_password_it_ends_with(client):
    # The attacker signs up with the victim's address, before the victim does.
    Client().post(SIGNUP, signup_data(email="victim@example.com", password1=OTHER_PASSWORD, password2=OTHER_PASSWORD))
    client.post(SIGNUP, signup_data(email="victim@example.com"))
    links = [link_in(email) for email in emails_to("victim@example.com")]

    assert "This link has already been used" in Client().post(links[0]).text
    assert Client().post(links[1]).url == NEW_COMPLAINT
    assert not Client().login(username="victim@example.com", password=OTHER_PASSWORD)
    assert Client().login(username="victim@example.com", password=PASSWORD)


# --- logging in before confirming -----------------------------------------------------------


def test_an_unconfirmed_account_cannot_log_in_and_the_answer_does_not_say_if_the_password_was_right(client):
    client.post(SIGNUP, signup_data())

    right = login_page_after(Client(), "sam.new@example.com", PASSWORD)
    wrong = login_page_after(Client(), "sam.new@example.com", "not-the-password")
    nobody = login_page_after(Client(), "nobody@example.com", PASSWORD)

    assert right[0] == 200
    assert right == wrong
    assert right[1].replace("sam.new@example.com", "EMAIL") == nobody[1].replace("nobody@example.com", "EMAIL")
    assert "Please enter a correct email address and password" in right[1]
    assert "If you have just signed up, first confirm your address" in right[1]


def test_the_log_in_hint_is_given_for_any_failed_log_in(client, customer):
    status, page = login_page_after(client, customer.email, "not-the-password")

    assert status == 200
    assert "If you have just signed up, first confirm your address" in page


def test_accounts_made_by_create_user_log_in_at_once(client):
    # Fixtures, seed_demo and the desk make accounts this way: only sign-up waits for a link.
    user = make_customer("made@example.com", "Made Directly")

    assert user.is_active and not user.awaiting_confirmation and user.is_claimed
    assert client.post(LOGIN, {"username": "made@example.com", "password": PASSWORD}).url == reverse("complaints:mine")


# --- asking for a new link ----------------------------------------------------------------


def test_a_new_link_goes_to_a_waiting_sign_up_and_works(client):
    with time_machine.travel(timezone.now() - timedelta(hours=settings.SIGNUP_CONFIRMATION_HOURS + 1)):
        client.post(SIGNUP, signup_data())

    response = client.post(RESEND, {"email": "Sam.New@example.com"})

    assert response.url == CHECK_YOUR_EMAIL
    first, second = emails_to("sam.new@example.com")
    assert "This link has expired" in Client().post(link_in(first)).text
    assert Client().post(link_in(second)).url == NEW_COMPLAINT


@pytest.mark.parametrize(("address", "subject"), [
    ("dana.customer@example.com", "Someone tried to sign up"),
    ("pat.phone@example.com", "Set your password"),
    ("nobody@example.com", None),
])
def test_asking_for_a_new_link_answers_the_same_for_any_address(client, customer, phone_customer, address, subject):
    Client().post(SIGNUP, signup_data())
    waiting = Client().post(RESEND, {"email": "sam.new@example.com"})

    response = client.post(RESEND, {"email": address})

    assert response.status_code == waiting.status_code == 302
    assert response.url == waiting.url == CHECK_YOUR_EMAIL
    sent = [email.subject for email in emails_to(address)]
    if subject is None:
        assert sent == []
    else:
        assert len(sent) == 1 and sent[0].startswith(subject)


def test_the_new_link_page_checks_the_address(client):
    page = client.get(RESEND)
    response = client.post(RESEND, {"email": "not an address"})

    assert page.status_code == 200 and "Get a new link to confirm your address" in page.text
    assert response.status_code == 200 and "email" in response.context["form"].errors


def test_asking_for_new_links_is_rate_limited_like_sign_up(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": {"window": 3600, "per_ip": 100, "per_account": 2}}

    answers = [client.post(RESEND, {"email": "sam.new@example.com"}).status_code for _ in range(3)]

    assert answers == [302, 302, 429]


def test_signed_in_customers_are_sent_on_from_the_new_link_page(client, customer):
    client.force_login(customer)

    assert client.get(RESEND).url == reverse("complaints:mine")
    assert client.post(RESEND, {"email": customer.email}).url == reverse("complaints:mine")
    assert not emails_to(customer.email).exists()


# --- stale sign-ups -----------------------------------------------------------------------


def test_a_sign_up_never_confirmed_is_deleted_once_its_link_has_expired(client, customer):
    with time_machine.travel(timezone.now() - timedelta(hours=settings.SIGNUP_CONFIRMATION_HOURS + 1)):
        Client().post(SIGNUP, signup_data(email="stale@example.com"))
    Client().post(SIGNUP, signup_data(email="fresh@example.com"))

    client.post(SIGNUP, signup_data())

    assert not User.objects.filter(email="stale@example.com").exists()
    assert User.objects.filter(email="fresh@example.com", awaiting_confirmation=True).exists()
    assert User.objects.filter(pk=customer.pk).exists()


def test_a_stale_sign_up_a_record_refers_to_is_kept(client):
    with time_machine.travel(timezone.now() - timedelta(hours=settings.SIGNUP_CONFIRMATION_HOURS + 1)):
        Client().post(SIGNUP, signup_data(email="stale@example.com"))
    stale = User.objects.get(email="stale@example.com")
    file_complaint(stale)  # as the desk could, finding the sign-up by name

    client.post(SIGNUP, signup_data())

    assert User.objects.filter(pk=stale.pk).exists()


def test_the_password_typed_for_a_taken_address_is_hashed_all_the_same(client, customer, monkeypatch):
    hashed = []
    monkeypatch.setattr(services, "make_password", lambda password: hashed.append(password) or "x")

    client.post(SIGNUP, signup_data(email=customer.email))

    assert hashed == [PASSWORD]


def test_opening_the_link_only_shows_whose_address_it_confirms_and_the_button_confirms(client):
    client.post(SIGNUP, signup_data())
    link = confirmation_link_for("sam.new@example.com")

    page = Client().get(link)  # a mail scanner, or the customer's first look

    assert page.status_code == 200
    assert "sam.new@example.com" in page.text and 'id="confirm-address"' in page.text
    assert User.objects.get(email="sam.new@example.com").awaiting_confirmation
    assert Client().post(link).url == NEW_COMPLAINT
    assert not User.objects.get(email="sam.new@example.com").awaiting_confirmation


def test_the_daily_retention_job_deletes_sign_ups_never_confirmed(client):
    client.post(SIGNUP, signup_data())
    later = timezone.now() + timedelta(hours=settings.SIGNUP_CONFIRMATION_HOURS, minutes=1)

    result = retention.anonymise_expired(now=later)

    assert result["unconfirmed_sign_ups"] == 1
    assert not User.objects.filter(email="sam.new@example.com").exists()
