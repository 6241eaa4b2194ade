"""A data download a person can read: your-data.html beside data.json, in the portal's layout."""

import io
import json
import re
import zipfile

import pytest
from django.urls import reverse

from complaints import services
from complaints.models import Upheld
from ombudsman import services as adr_services
from privacy import export
from tests.conftest import file_complaint
from tests.words.conftest import pdf_upload
from tests.words.reading import page_text


@pytest.fixture
def archive(client, customer, agent):
    complaint = file_complaint(customer, attachments=[pdf_upload("march bill.pdf")])
    services.request_information(complaint=complaint, agent=agent, body="Which meeting was it?")
    services.add_customer_message(complaint=complaint, customer=customer, body="Meeting 123.")
    services.add_internal_note(complaint=complaint, agent=agent, body="Secret note for staff.")
    adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Our position is final.")
    resolved = file_complaint(customer)
    services.resolve_complaint(complaint=resolved, agent=agent, summary="We found no fault.",
                               upheld=Upheld.NOT_UPHELD, credit_amount=5)
    client.force_login(customer)
    response = client.get(reverse("privacy:my_data"))
    opened = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {"zip": opened, "complaint": complaint, "resolved": resolved,
            "document": opened.read(export.DOCUMENT).decode()}


def test_the_zip_keeps_data_json_and_adds_a_readable_document(archive):
    names = archive["zip"].namelist()
    assert {"README.txt", "data.json", export.DOCUMENT} <= set(names)
    assert json.loads(archive["zip"].read("data.json"))["complaints"]
    assert "your-data.html" in archive["zip"].read("README.txt").decode()


def test_the_document_holds_the_profile_and_each_complaint_with_its_timeline(archive, customer):
    text = page_text(archive["document"])
    assert "Your data" in text
    assert f"Email address {customer.email}" in text and f"Name {customer.full_name}" in text
    for complaint in (archive["complaint"], archive["resolved"]):
        assert f"Complaint {complaint.tracking_number}" in text
    assert "Which meeting was it?" in text and "Meeting 123." in text
    assert "You replied, so we are looking into your complaint again" in text
    assert "Your complaint reached deadlock: this is our final position" in text
    assert "As a goodwill gesture, we credited your account with £5.00." in text
    assert "Secret note for staff" not in archive["document"]


def test_the_document_lists_letters_and_files_and_links_to_them_in_the_zip(archive):
    names = set(archive["zip"].namelist())
    links = set(re.findall(r'href="([^"#]+)"', archive["document"]))
    letters = [name for name in names if "/letters/" in name]
    files = [name for name in names if "/attachments/" in name]
    assert letters and files
    assert set(letters) | set(files) <= links
    assert links <= names, "every link goes to a file in the zip"
    text = page_text(archive["document"])
    assert "Deadlock letter" in text and "march bill.pdf" in text


def test_the_document_is_self_contained(archive):
    document = archive["document"]
    assert "<style>" in document
    assert not re.search(r"<(script|link|img|iframe)\b", document)
    assert not re.search(r"(src|href)=\"(https?:)?//", document)
    assert "{#" not in document and "{{" not in document and "{%" not in document
