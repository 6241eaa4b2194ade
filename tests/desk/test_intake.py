"""Logging a complaint for a customer who phoned, emailed or wrote in."""

import html
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import PreferredFormat, User
from complaints.models import Channel, Complaint, EmailKind, EventKind, PostalKind
from tests.words.reading import page_text

LOG_URL = "/admin/complaints/complaint/add/"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NO_CONSENT = ("Tick the box to record the customer's consent, or clear their support needs: "
              "we can only keep them with consent.")
# Words of a form written for the customer to fill in: the agent fills this one in for them.
CUSTOMERS_VOICE = re.compile(r"\b(your|yours|my|I agree|you gave)\b", re.IGNORECASE)


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

    assertContains(response, "already on record")
    assert not Complaint.objects.exists()


def test_a_backdated_complaint_needs_a_reason_which_is_audited(agent_client, customer, agent):
    first_complained = timezone.localtime() - timedelta(days=3)
    data = complaint_data(received_at=first_complained.strftime("%Y-%m-%dT%H:%M"))

    response = agent_client.post(f"{LOG_URL}?customer={customer.pk}", data)
    assertContains(response, "Say why the complaint starts before today")
    assertContains(response, "Cannot connect to my PC since Monday.")
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

    assertContains(response, "cannot have complained in the future")


def test_the_web_is_not_a_channel_an_agent_logs(agent_client, customer):
    response = agent_client.post(f"{LOG_URL}?customer={customer.pk}", complaint_data(channel="web"))

    assert response.status_code == 200 and response.context["complaint_form"].errors["channel"]
    assert not Complaint.objects.exists()


def test_staff_are_not_customers_to_log_for(agent_client, manager):
    assert agent_client.get(LOG_URL, {"customer": manager.pk}).status_code == 404


def form_text(response):
    """Return the words of the intake form as the agent reads them, from the customer's part to the button."""
    text = page_text(response)
    return text[text.index("1. The customer"):text.index("Log the complaint")]


def test_the_intake_form_speaks_to_the_agent_in_every_label_help_text_and_choice(agent_client):
    response = agent_client.get(f"{LOG_URL}?customer=new")

    text = form_text(response)
    assert CUSTOMERS_VOICE.findall(text) == []
    assert ("Ask the customer first whether we may keep the support needs above and use them only to handle "
            "their complaints, and tick only if they agreed. Without their consent we keep none") in text
    assert "What happened and when, as the customer told it." in text
    assert "Another format (say which in their accessibility needs)" in text


@pytest.mark.parametrize("typed", [
    # Letters by post with no address, and large print with no consent.
    {"address": "", "postcode": "", "preferred_format": PreferredFormat.LARGE_PRINT},
    # Another format, consented to but not named, and email letters with no email address.
    {"support_consent": "on", "preferred_format": PreferredFormat.OTHER, "preferred_contact": "email"},
])
def test_the_intake_form_refuses_in_the_agents_words(agent_client, typed):
    # What went wrong is in the customer's words, "my" and all: only the form's own words count here.
    complaint = complaint_data(description="The PC cannot be reached since Monday.")
    response = agent_client.post(f"{LOG_URL}?customer=new", {**new_customer_data(**typed), **complaint})

    assert response.status_code == 200 and response.context["customer_form"].errors
    text = form_text(response)
    assert CUSTOMERS_VOICE.findall(text) == []
    assert "Correct the errors below. Everything typed is still here." in page_text(response)
    assert not User.objects.filter(full_name="Pat Phoner").exists()


def test_large_print_without_consent_is_refused_on_the_consent_box_keeping_what_was_typed(agent_client):
    response = agent_client.post(f"{LOG_URL}?customer=new", {
        **new_customer_data(preferred_format=PreferredFormat.LARGE_PRINT), **complaint_data()})

    assert response.status_code == 200
    assert response.context["customer_form"].errors["support_consent"] == [NO_CONSENT]
    assertContains(response, html.escape(NO_CONSENT))
    for typed in ('value="Pat Phoner"', 'value="0113 496 0000"', "Cannot connect to my PC since Monday."):
        assertContains(response, typed)
    assert re.search(r'<input type="radio" name="preferred_format" value="large_print"[^>]* checked>',
                     response.content.decode())
    assert not Complaint.objects.exists() and not User.objects.filter(full_name="Pat Phoner").exists()


def test_the_other_rules_refuse_in_the_agents_words(agent_client):
    errors = agent_client.post(f"{LOG_URL}?customer=new", {**new_customer_data(
        address="", postcode="", support_consent="on", preferred_format=PreferredFormat.OTHER,
    ), **complaint_data()}).context["customer_form"].errors

    assert errors["address"] == ["For letters by post, give their postal address."]
    assert errors["postcode"] == ["For letters by post, give their postcode."]
    assert errors["accessibility_needs"] == ["Say in their accessibility needs which format they need."]
    errors = agent_client.post(f"{LOG_URL}?customer=new", {
        **new_customer_data(preferred_contact="email"), **complaint_data()}).context["customer_form"].errors
    assert errors["preferred_contact"] == [
        "Without their email address, letters can only go by post: choose post, or give their email address."]


def test_a_new_customer_who_consented_keeps_large_print(agent_client):
    response = agent_client.post(f"{LOG_URL}?customer=new", {**new_customer_data(
        preferred_format=PreferredFormat.LARGE_PRINT, support_consent="on"), **complaint_data()})

    assert response.status_code == 302
    customer = User.objects.get(full_name="Pat Phoner")
    assert customer.preferred_format == PreferredFormat.LARGE_PRINT and customer.has_support_consent
    assert customer.complaints.get().postal_letters.exists()


@pytest.mark.parametrize(("query", "field", "value"), [
    ("Pat Phoner", "full_name", "Pat Phoner"),
    ("pat.phoner@example.com", "email", "pat.phoner@example.com"),
    ("0113 496 0000", "phone", "0113 496 0000"),
    ("yo17hh", "postcode", "YO1 7HH"),
])
def test_what_the_agent_searched_for_fills_in_the_new_customer(agent_client, query, field, value):
    search = agent_client.get(LOG_URL, {"q": query}).content.decode()
    link = html.unescape(re.search(r'href="([^"]*)" id="new-customer"', search).group(1))

    response = agent_client.get(f"{LOG_URL}{link}")

    form = response.context["customer_form"]
    filled = {name: form[name].value() for name in ("full_name", "email", "phone", "postcode")}
    assert filled == {"full_name": None, "email": None, "phone": None, "postcode": None, field: value}
    assert re.search(rf'<input [^>]*name="{field}" value="{re.escape(html.escape(value))}"',
                     response.content.decode())


def test_attachments_must_be_chosen_again_whichever_part_needs_correcting(agent_client):
    response = agent_client.post(f"{LOG_URL}?customer=new", {
        **new_customer_data(preferred_format=PreferredFormat.LARGE_PRINT), **complaint_data(
            attachments=SimpleUploadedFile("letter.pdf", PDF_BYTES, content_type="application/pdf"))})

    assert response.status_code == 200 and not response.context["complaint_form"].errors
    assert ("Choose the attachments again: browsers cannot keep chosen files when a form needs correcting, so "
            "these were not attached: letter.pdf.") in page_text(response)
