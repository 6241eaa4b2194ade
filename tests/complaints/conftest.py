"""Fixtures for the complaint pages: files to upload and logged-in clients."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def pdf(name="bill.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="screenshot.png", content=PNG_BYTES):
    return SimpleUploadedFile(name, content, content_type="image/png")


def jpeg(name="photo.jpg", content=JPEG_BYTES):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def log_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def customer_client(client, customer):
    return log_in(client, customer)


def complaint_data(**overrides):
    """Return a valid complaint form submission."""
    data = {
        "product": "gotowebinar", "category": "service_fault",
        "description": "Webinars freeze for every attendee after 20 minutes.",
        "desired_outcome": "Fix the fault and credit this month.", "statement_date": "",
    }
    data.update(overrides)
    return data
