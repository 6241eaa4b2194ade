from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from clock import UK
from complaints.models import Complaint, EventKind
from tests.complaints.conftest import PDF_BYTES, complaint_data, log_in, pdf, png
from tests.conftest import file_complaint

NEW = reverse("complaints:new")


def test_anonymous_visitors_are_sent_to_log_in_and_come_back(client, db):
    response = client.get(NEW)

    assertRedirects(response, f"{reverse('accounts:login')}?next={NEW}", fetch_redirect_response=False)


def test_staff_are_sent_to_the_admin_instead_of_the_customer_form(client, agent):
    log_in(client, agent)

    response = client.get(NEW)

    assertRedirects(response, reverse("admin:index"), fetch_redirect_response=False)


def test_the_form_asks_for_the_complaint(customer_client):
    response = customer_client.get(NEW)

    assertContains(response, 'enctype="multipart/form-data"')
    for name in ("product", "category", "description", "desired_outcome", "statement_date", "attachments"):
        assertContains(response, f'name="{name}"')
    assertContains(response, "multiple")


@time_machine.travel(datetime(2027, 1, 17, 10, 30, tzinfo=UK), tick=False)
def test_filing_a_complaint_leads_to_the_confirmation_with_its_tracking_number(client, customer):
    customer_client = log_in(client, customer)  # logged in at the travelled time, or the session is stale
    data = complaint_data(attachments=[pdf("march bill.pdf"), png()])

    response = customer_client.post(NEW, data)

    complaint = Complaint.objects.get()
    filed_url = reverse("complaints:filed", args=[complaint.tracking_number])
    assertRedirects(response, filed_url, fetch_redirect_response=False)
    assert complaint.customer == customer
    assert complaint.description == data["description"]
    assert complaint.events.get().kind == EventKind.FILED
    assert sorted(complaint.attachments.values_list("original_name", "content_type")) == [
        ("march bill.pdf", "application/pdf"), ("screenshot.png", "image/png")]

    page = customer_client.get(filed_url)
    assertContains(page, f'<p id="tracking-number" class="display-6 mb-2"><strong class="tracking-number">'
                         f'{complaint.tracking_number}</strong></p>', html=True)
    # Queued, not sent: the page says what is true (tests/words/test_sentences.py has the rest).
    assertContains(page, "We are sending an acknowledgement to <strong>dana.customer@example.com</strong>")
    assertContains(page, "14 March 2027")
    assertContains(page, "Office of the Telecommunications Ombudsman (Otelo)")


def test_the_browsers_content_type_is_not_trusted(customer_client):
    upload = pdf()
    upload.content_type = "text/html"

    customer_client.post(NEW, complaint_data(attachments=[upload]))

    assert Complaint.objects.get().attachments.get().content_type == "application/pdf"


def test_the_confirmation_for_someone_elses_complaint_is_not_found(customer_client, other_customer):
    complaint = file_complaint(other_customer)

    response = customer_client.get(reverse("complaints:filed", args=[complaint.tracking_number]))

    assert response.status_code == 404


def test_a_form_with_errors_keeps_what_was_typed(customer_client):
    data = complaint_data(product="", description="My typed <description> stays")

    response = customer_client.post(NEW, data)

    assert response.status_code == 200
    assert not Complaint.objects.exists()
    assertContains(response, "Please correct the 1 problem marked below.")
    assertContains(response, "This field is required.")
    assertContains(response, "My typed &lt;description&gt; stays")
    assertContains(response, data["desired_outcome"])
    assertContains(response, '<option value="service_fault" selected>', html=False)


def test_files_must_be_chosen_again_after_an_error_and_the_form_says_so(customer_client):
    response = customer_client.post(NEW, complaint_data(description="", attachments=[pdf("march bill.pdf")]))

    assert not Complaint.objects.exists()
    assertContains(response, "Please choose your files again.")
    assertContains(response, "march bill.pdf")


def test_a_statement_date_in_the_future_is_an_error(customer_client):
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = customer_client.post(NEW, complaint_data(category="billing_discrepancy", statement_date=tomorrow))

    assertContains(response, "The statement date can’t be in the future.")
    assert not Complaint.objects.exists()


def test_a_billing_complaint_keeps_its_statement_date_however_old(customer_client):
    long_ago = timezone.localdate() - timedelta(days=200)

    customer_client.post(NEW, complaint_data(category="billing_discrepancy", statement_date=long_ago.isoformat()))

    complaint = Complaint.objects.get()
    assert complaint.statement_date == long_ago
    assert complaint.billing_reported_late


def test_a_statement_date_is_dropped_for_other_kinds_of_complaint(customer_client):
    last_week = timezone.localdate() - timedelta(days=7)

    customer_client.post(NEW, complaint_data(category="service_fault", statement_date=last_week.isoformat()))

    assert Complaint.objects.get().statement_date is None


@pytest.mark.parametrize(("upload", "message"), [
    (pdf("notes.pdf", b"Plain text with a .pdf name"),
     "“notes.pdf” is not a real PDF, PNG or JPEG file (its contents don’t match its name)."),
    (pdf("setup.exe", b"MZ\x90\x00\x03"), "“setup.exe” can’t be attached: we accept PDF, PNG and JPEG files only."),
    (pdf("empty.pdf", b""), "“empty.pdf” is empty."),
])
def test_unacceptable_uploads_are_refused_with_a_clear_message(customer_client, upload, message):
    response = customer_client.post(NEW, complaint_data(attachments=[upload]))

    assert not Complaint.objects.exists()
    assertContains(response, message)
    assertContains(response, "Please choose your files again.")


def test_an_oversized_upload_is_refused(customer_client, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024

    response = customer_client.post(NEW, complaint_data(attachments=[pdf("scan.pdf", PDF_BYTES.ljust(2048))]))

    assert not Complaint.objects.exists()
    assertContains(response, "“scan.pdf” is 2.0\xa0KB; each file must be 1.0\xa0KB or smaller.")


def test_too_many_files_are_refused(customer_client, settings):
    settings.ATTACHMENT_MAX_FILES = 2

    response = customer_client.post(NEW, complaint_data(attachments=[pdf("1.pdf"), pdf("2.pdf"), png()]))

    assert not Complaint.objects.exists()
    assertContains(response, "You can attach up to 2 files at a time; you chose 3.")


def test_the_form_gives_no_promise_of_an_email_to_a_customer_who_prefers_post(customer_client, customer):
    customer.preferred_contact = "post"
    customer.save()

    response = customer_client.post(NEW, complaint_data(), follow=True)

    assertNotContains(response, "emailed")
    assertContains(response, "We are posting an acknowledgement letter to you")
