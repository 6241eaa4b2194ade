import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import User
from complaints import services
from tests.complaints.conftest import log_in
from tests.conftest import PASSWORD, file_complaint


@pytest.fixture
def admin_client(client, db):
    superuser = User.objects.create_superuser(email="root@example.com", password=PASSWORD, full_name="Root")
    return log_in(client, superuser)


def test_the_complaint_list_shows_the_key_columns(admin_client, complaint):
    response = admin_client.get(reverse("admin:complaints_complaint_changelist"))

    assertContains(response, complaint.tracking_number)
    assertContains(response, "dana.customer@example.com")
    for column in ("Product", "Category", "How it arrived", "Status", "Received at", "Adr opens at"):
        assertContains(response, column)


def test_search_finds_a_tracking_number_however_it_is_typed(admin_client, complaint, other_customer):
    other = file_complaint(other_customer)
    sloppy = complaint.tracking_number.lower().replace("-", "")

    response = admin_client.get(reverse("admin:complaints_complaint_changelist"), {"q": sloppy})

    assertContains(response, complaint.tracking_number)
    assertNotContains(response, other.tracking_number)


def test_search_by_customer_email(admin_client, complaint, other_customer):
    other = file_complaint(other_customer)

    response = admin_client.get(reverse("admin:complaints_complaint_changelist"), {"q": "olly.other"})

    assertContains(response, other.tracking_number)
    assertNotContains(response, complaint.tracking_number)


def test_complaints_and_their_events_are_read_only_in_the_admin(admin_client, complaint, agent):
    services.add_internal_note(complaint=complaint, agent=agent, body="Checked the billing system.")
    change_url = reverse("admin:complaints_complaint_change", args=[complaint.pk])

    response = admin_client.get(change_url)

    assertContains(response, "Checked the billing system.")
    assertNotContains(response, 'name="_save"')
    assertNotContains(response, "events-0-DELETE")
    assert admin_client.get(reverse("admin:complaints_complaint_add")).status_code == 403
    assert admin_client.post(change_url, {"status": "resolved"}).status_code == 403
    assert admin_client.get(reverse("admin:complaints_complaint_delete", args=[complaint.pk])).status_code == 403
    assert complaint.events.count() == 2


def test_outgoing_emails_are_listed_read_only_with_their_status(admin_client, complaint):
    email = complaint.emails.get()

    response = admin_client.get(reverse("admin:complaints_outgoingemail_changelist"))

    assertContains(response, email.subject)
    assertContains(response, "Pending")
    assert admin_client.get(reverse("admin:complaints_outgoingemail_add")).status_code == 403
    assertNotContains(admin_client.get(reverse("admin:complaints_outgoingemail_change", args=[email.pk])),
                      'name="_save"')
