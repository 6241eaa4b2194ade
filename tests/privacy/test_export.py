"""Download my data: the customer's own data, all of it, and nobody else's."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import EmailKind, OutgoingEmail
from complaints.services import accept_resolution, propose_resolution
from ombudsman.models import Letter
from privacy import export, services
from tests.conftest import file_complaint
from tests.privacy.conftest import PDF_BYTES, story, uk


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


def download(client):
    response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return response, archive, json.loads(archive.read("data.json"))


def test_the_download_is_a_zip_attachment(customer_client):
    response, archive, _ = download(customer_client)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    assert {"README.txt", "data.json"} <= set(archive.namelist())


def test_it_holds_the_profile(customer_client, customer):
    _, _, data = download(customer_client)
    profile = data["profile"]
    assert (profile["email"], profile["full_name"], profile["phone"], profile["postcode"]) == (
        "dana.customer@example.com", "Dana Customer", "07700 900001", "LS1 1AA")
    assert profile["account_closed_at"] is None


def test_it_holds_complaints_with_messages_attachments_and_emails(customer_client, customer, agent):
    complaint = story(customer, agent, received=uk(2026, 1, 5, 10))
    _, archive, data = download(customer_client)
    [exported] = data["complaints"]
    assert exported["tracking_number"] == complaint.tracking_number
    assert exported["description"] == "Dana here: meetings drop after ten minutes."
    texts = [event["text"] for event in exported["timeline"]]
    assert "My son uses the same account 4471." in texts and "Thank you Dana, we are on it." in texts
    assert {event["by"] for event in exported["timeline"]} >= {"you", "our complaints team"}
    [attachment] = exported["attachments"]
    assert attachment["name"] == "bill-dana.pdf"
    assert archive.read(attachment["file"]) == PDF_BYTES
    assert [email["kind"] for email in exported["emails"]][:1] == ["Acknowledgement"]


def test_internal_notes_are_not_exported(customer_client, customer, agent):
    story(customer, agent, received=uk(2026, 1, 5, 10))
    _, archive, _ = download(customer_client)
    assert "upset" not in archive.read("data.json").decode()


def test_emails_to_staff_about_the_complaint_are_not_exported(customer_client, customer, agent):
    complaint = story(customer, agent, received=uk(2026, 1, 5, 10))
    complaint.assigned_to = agent
    complaint.save()
    propose_resolution(complaint=complaint, agent=agent, proposal="A credit of £10.", upheld="partly")
    accept_resolution(complaint=complaint, customer=customer)
    _, _, data = download(customer_client)
    assert all(email["to"] == customer.email for email in data["complaints"][0]["emails"])
    assert agent.email not in json.dumps(data)


def test_letters_are_exported_as_text_and_pdf(customer_client, customer, agent):
    complaint = story(customer, agent, received=uk(2026, 1, 5, 10), letter=uk(2026, 2, 1, 10))
    _, archive, data = download(customer_client)
    [letter] = data["complaints"][0]["letters"]
    assert letter["kind"] == "Deadlock letter"
    assert complaint.tracking_number in letter["text"]
    assert archive.read(letter["file"]) == bytes(Letter.objects.get(complaint=complaint).pdf)


def test_emails_about_no_complaint_are_listed_without_their_text(customer_client, customer):
    OutgoingEmail.objects.create(kind=EmailKind.OTHER, to=customer.email.upper(), subject="Set your password",
                                 text_body="https://example.com/one-time-link")
    _, archive, data = download(customer_client)
    assert [(email["subject"], "text" in email) for email in data["other_emails"]] == [("Set your password", False)]
    assert "one-time-link" not in archive.read("data.json").decode()


def test_the_export_takes_the_same_number_of_queries_for_1_and_3_complaints(customer, agent):
    def queries_for(count):
        with CaptureQueriesContext(connection) as queries:
            assert len(export.customer_data(customer)["complaints"]) == count
        return len(queries)

    story(customer, agent, received=uk(2026, 1, 5, 10), letter=uk(2026, 2, 1, 10))
    one = queries_for(1)
    for day in (6, 7):
        story(customer, agent, received=uk(2026, 1, day, 10), letter=uk(2026, 2, day, 10))

    assert queries_for(3) == one


def test_other_customers_data_is_not_exported(customer_client, customer, other_customer, agent):
    theirs = file_complaint(other_customer, description="Olly's own problem")
    mine = file_complaint(customer)
    _, archive, data = download(customer_client)
    assert [item["tracking_number"] for item in data["complaints"]] == [mine.tracking_number]
    assert theirs.tracking_number not in archive.read("data.json").decode()
    assert "Olly" not in archive.read("data.json").decode()


def test_an_anonymised_complaint_says_so(customer_client, customer, agent):
    complaint = story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 10))
    services.anonymise_complaint(complaint=complaint, now=uk(2025, 1, 1))
    _, _, data = download(customer_client)
    [exported] = data["complaints"]
    assert exported["personal_data_erased_at"] == "2025-01-01T00:00:00+00:00"
    assert exported["description"] == "" and exported["attachments"][0]["file"] is None


def test_the_download_needs_a_login(client):
    response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_staff_are_sent_to_subject_access_requests(client, agent):
    client.force_login(agent)
    response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 302
    assert response.url == reverse("admin:privacy_subjectaccessrequest_changelist")
