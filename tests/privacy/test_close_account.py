"""Closing an account: the customer's way out, and what happens to their complaints and details."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import CustomerType
from complaints.models import EventKind, OutgoingEmail, Status
from privacy import retention, services
from privacy.models import AccountClosure, CustomerErasure, SarStatus, SubjectAccessRequest
from tests.conftest import PASSWORD, file_complaint, make_customer
from tests.privacy.conftest import story, uk

User = get_user_model()


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


def close(client, **data):
    return client.post(reverse("privacy:close_account"), {"password": PASSWORD, **data})


def test_the_profile_links_to_download_and_close(customer_client):
    page = customer_client.get(reverse("accounts:profile")).content.decode()
    assert reverse("privacy:my_data") in page and reverse("privacy:close_account") in page


def test_the_page_says_open_complaints_are_still_handled(customer_client, complaint):
    page = customer_client.get(reverse("privacy:close_account")).content.decode()
    assert complaint.tracking_number in page
    assert "Closing your account does not withdraw your open complaint. We will keep looking into it and write to " \
           "you by email." in " ".join(page.split())
    assert 'name="withdraw_open"' in page


def test_the_withdraw_box_is_only_offered_with_open_complaints(customer_client):
    page = customer_client.get(reverse("privacy:close_account")).content.decode()
    assert 'name="withdraw_open"' not in page


def test_a_wrong_password_closes_nothing(customer_client, customer):
    response = close(customer_client, password="not-my-password")
    assert response.status_code == 200
    assert "That is not your password" in response.content.decode()
    customer.refresh_from_db()
    assert customer.is_active and customer.check_password(PASSWORD)
    assert not AccountClosure.objects.exists()


def test_closing_logs_out_and_the_login_stops_working(client, customer_client, customer):
    response = close(customer_client)
    assert response.status_code == 302 and response.url == reverse("privacy:account_closed")
    assert customer_client.get(reverse("accounts:profile")).status_code == 302
    customer.refresh_from_db()
    assert not customer.is_active and not customer.has_usable_password()
    assert not client.login(email=customer.email, password=PASSWORD)
    closure = AccountClosure.objects.get(customer=customer)
    assert (closure.open_complaints, closure.withdrawn_complaints) == (0, 0)


def test_open_complaints_stay_open_and_agents_are_told(customer_client, customer, complaint):
    close(customer_client)
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    note = complaint.events.get(kind=EventKind.NOTE)
    assert note.summary == "The customer closed their online account" and not note.visible_to_customer
    assert AccountClosure.objects.get(customer=customer).open_complaints == 1


def test_ticking_the_box_withdraws_open_complaints(customer_client, customer, complaint):
    close(customer_client, withdraw_open="on")
    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN
    assert complaint.events.filter(kind=EventKind.WITHDRAWN, actor=customer).exists()
    assert AccountClosure.objects.get(customer=customer).withdrawn_complaints == 1


def test_an_email_confirms_the_closure_and_lists_complaints_still_open(customer_client, customer, complaint):
    close(customer_client)
    email = OutgoingEmail.objects.get(to=customer.email, subject__contains="account is closed")
    assert complaint.tracking_number in email.text_body


def test_staff_have_no_close_account_page(client, agent):
    client.force_login(agent)
    assert close(client).status_code == 302
    agent.refresh_from_db()
    assert agent.is_active


def test_the_page_needs_a_login(client):
    response = client.get(reverse("privacy:close_account"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


# --- the customer's own details, once their complaints are anonymised ----------------------


def test_a_closed_account_is_erased_with_its_last_complaint(customer, agent, django_capture_on_commit_callbacks):
    customer.customer_type, customer.business_name, customer.business_workers = CustomerType.BUSINESS, "Dana Ltd", 4
    customer.save()
    old = story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 10))
    newer = story(customer, agent, received=uk(2020, 3, 1, 10), closed=uk(2020, 6, 1, 10))
    services.close_account(customer=customer)

    assert retention.anonymise_expired(now=uk(2025, 1, 1))["customers"] == 0
    customer.refresh_from_db()
    assert customer.full_name == "Dana Customer"

    result = retention.anonymise_expired(now=uk(2026, 7, 1))
    assert result["customers"] == 1
    customer.refresh_from_db()
    assert (customer.email, customer.full_name, customer.phone, customer.address, customer.postcode,
            customer.business_name) == (None, "", "", "", "", "")
    assert (customer.customer_type, customer.business_workers) == (CustomerType.BUSINESS, 4)
    assert not customer.is_active and str(customer) == f"Customer #{customer.pk}"
    assert CustomerErasure.objects.get(customer=customer).reason == "Closed their account"
    assert {old.pk, newer.pk} == set(customer.complaints.values_list("pk", flat=True))


def test_emails_outside_complaints_to_an_erased_customer_are_erased(customer, agent):
    story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 10))
    services.close_account(customer=customer)
    retention.anonymise_expired(now=uk(2025, 1, 1))
    assert not OutgoingEmail.objects.filter(to__iexact="dana.customer@example.com").exists()
    assert OutgoingEmail.objects.filter(complaint__isnull=True, to="", subject="").exists()


def test_support_needs_go_with_the_customer(customer, agent):
    customer.support_consent_at, customer.vulnerability_notes = uk(2018, 1, 1), "Recently bereaved"
    customer.save()
    story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 10))
    services.close_account(customer=customer)
    retention.anonymise_expired(now=uk(2025, 1, 1))
    customer.refresh_from_db()
    assert (customer.support_consent_at, customer.vulnerability_notes) == (None, "")


def test_customers_who_can_log_in_keep_their_details(customer, agent):
    story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 10))
    retention.anonymise_expired(now=uk(2025, 1, 1))
    customer.refresh_from_db()
    assert customer.full_name == "Dana Customer" and customer.is_active


def test_phone_customers_without_a_login_are_erased_with_their_last_complaint(agent):
    caller = User.objects.create_user(email=None, full_name="Pat Phone", phone="01632 960001")
    story(caller, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 10))
    retention.anonymise_expired(now=uk(2025, 1, 1))
    caller.refresh_from_db()
    assert (caller.full_name, caller.phone) == ("", "")
    assert CustomerErasure.objects.get(customer=caller).reason.startswith("Had no login")


def test_a_closed_account_without_complaints_is_erased_at_the_next_run(customer):
    services.close_account(customer=customer)
    retention.anonymise_expired()
    customer.refresh_from_db()
    assert customer.email is None


def test_an_open_subject_access_request_holds_the_customer_back(customer, agent):
    story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 10))
    services.close_account(customer=customer)
    sar = services.record_subject_access_request(
        sar=SubjectAccessRequest(customer=customer, received_at=uk(2024, 12, 20)), actor=agent)
    retention.anonymise_expired(now=uk(2025, 1, 1))
    customer.refresh_from_db()
    assert customer.full_name == "Dana Customer"
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(status=SarStatus.ANSWERED)
    retention.anonymise_expired(now=uk(2025, 1, 2))
    customer.refresh_from_db()
    assert customer.full_name == ""


def test_staff_are_never_erased(agent):
    file_complaint(make_customer("x@example.com", "X"))
    agent.set_unusable_password()
    agent.save()
    retention.anonymise_expired()
    agent.refresh_from_db()
    assert agent.full_name == "Alex Agent" and not CustomerErasure.objects.exists()
