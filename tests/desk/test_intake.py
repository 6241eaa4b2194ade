"""Logging a complaint for a customer who phoned, emailed or wrote in."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import User
from complaints.models import Channel, Complaint, EmailKind, EventKind, PostalKind

LOG_URL = "/admin/complaints/complaint/add/"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def complaint_data(**overrides):
    data = {
        "channel": "phone", "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "backdate_reason": "",
        "product": "gotomypc", "category": "service_fault", "description": "Cannot connect to my PC since Monday.",
        "desired_outcome": "Fix it.", "statement_date": "",
    }
    data.update(overrides)
    return data


def new_customer_data(**overrides):
    data = {
        "email": "", "full_name": "Pat Phoner", "phone": "0113 496 0000", "address": "2 Low Road\nYork",
        "postcode": "yo1 7hh", "customer_type": "domestic", "business_name": "", "business_workers": "",
        "preferred_contact": "post", "accessibility_needs": "", "vulnerability_notes": "",
        "preferred_format": "standard",
    }
    data.update(overrides)
    return data


def test_the_add_link_is_the_log_page(agent_client):
    assert reverse("admin:complaints_complaint_add") == LOG_URL
    assertContains(agent_client.get(reverse("admin:complaints_complaint_changelist")), "Log a complaint")


def test_finding_a_customer_by_email_name_phone_or_postcode_never_lists_staff(agent_client, customer, agent):
    for query in ("dana.customer@", "Dana", "07700", "ls11aa"):
        response = agent_client.get(LOG_URL, {"q": query})
        assertContains(response, f"?customer={customer.pk}")
    assertNotContains(agent_client.get(LOG_URL, {"q": "Alex"}), f"?customer={agent.pk}")


def test_a_sign_up_waiting_for_its_address_to_be_confirmed_is_not_a_customer_to_log_for(agent_client, customer):
    waiting = User.objects.create_user(email="new.signup@example.com", password="x" * 20, full_name="Nina New",
                                       is_active=False, awaiting_confirmation=True)

    assertNotContains(agent_client.get(LOG_URL, {"q": "Nina"}), f"?customer={waiting.pk}")
    assert agent_client.get(LOG_URL, {"customer": waiting.pk}).status_code == 404


def test_logging_a_phone_complaint_for_a_customer_on_record(agent_client, customer, agent):
    response = agent_client.post(f"{LOG_URL}?customer={customer.pk}", complaint_data())

    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:complaints_complaint_change",
                                                                    args=[complaint.pk])
    assert (complaint.customer, complaint.channel) == (customer, Channel.PHONE)
    filed = complaint.events.get(kind=EventKind.FILED)
    assert filed.actor == agent and filed.summary == "Complaint received by phone"
    assert complaint.emails.get().kind == EmailKind.ACKNOWLEDGEMENT
    assertContains(agent_client.get(response.url), f"Complaint {complaint.tracking_number} logged")


def test_logging_for_a_new_customer_who_prefers_post_queues_a_printed_acknowledgement(agent_client, agent):
    response = agent_client.post(f"{LOG_URL}?customer=new", {**new_customer_data(), **complaint_data(
        channel="letter", attachments=SimpleUploadedFile("letter.pdf", PDF_BYTES, content_type="application/pdf"),
    )})

    assert response.status_code == 302
    customer = User.objects.get(full_name="Pat Phoner")
    assert not customer.is_claimed and customer.postcode == "YO1 7HH"
    complaint = customer.complaints.get()
    assert complaint.tracking_number and complaint.channel == Channel.LETTER
    assert complaint.postal_letters.get().kind == PostalKind.ACKNOWLEDGEMENT
    assert complaint.attachments.get().original_name == "letter.pdf"
    assert complaint.events.get(kind=EventKind.FILED).actor == agent
    assert not complaint.emails.exists()


def test_a_new_customer_whose_email_is_on_record_must_be_found_instead(agent_client, customer):
    response = agent_client.post(f"{LOG_URL}?customer=new", {
        **new_customer_data(email="DANA.customer@example.com", preferred_contact="email"), **complaint_data()})

    assertContains(response, "already on record", status_code=400)
    assert not Complaint.objects.exists()


def test_a_backdated_complaint_needs_a_reason_which_is_audited(agent_client, customer, agent):
    first_complained = timezone.localtime() - timedelta(days=3)
    data = complaint_data(received_at=first_complained.strftime("%Y-%m-%dT%H:%M"))

    response = agent_client.post(f"{LOG_URL}?customer={customer.pk}", data)
    assertContains(response, "Say why the complaint starts before today", status_code=400)
    assertContains(response, "Cannot connect to my PC since Monday.", status_code=400)
    assert not Complaint.objects.exists()

    agent_client.post(f"{LOG_URL}?customer={customer.pk}", {**data, "backdate_reason": "Letter arrived late."})

    complaint = Complaint.objects.get()
    assert complaint.received_on == first_complained.date()
    audit = complaint.events.get(kind=EventKind.RECEIVED_DATE_CHANGED)
    assert audit.body == "Letter arrived late." and audit.actor == agent


def test_a_complaint_cannot_be_logged_in_the_future(agent_client, customer):
    tomorrow = timezone.localtime() + timedelta(days=1)

    response = agent_client.post(f"{LOG_URL}?customer={customer.pk}",
                                 complaint_data(received_at=tomorrow.strftime("%Y-%m-%dT%H:%M")))

    assertContains(response, "cannot have complained in the future", status_code=400)


def test_the_web_is_not_a_channel_an_agent_logs(agent_client, customer):
    response = agent_client.post(f"{LOG_URL}?customer={customer.pk}", complaint_data(channel="web"))

    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_staff_are_not_customers_to_log_for(agent_client, manager):
    assert agent_client.get(LOG_URL, {"customer": manager.pk}).status_code == 404
