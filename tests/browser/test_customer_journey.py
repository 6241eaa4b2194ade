"""A customer's journey in a real browser: sign up, confirm the address, complain, follow it up;
nobody else can see it."""

import re
import struct
import zlib

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from complaints.models import Complaint, EmailKind, OutgoingEmail
from complaints.tracking import normalise_tracking_number
from tests.conftest import PASSWORD, make_customer

# live_server serves from another thread, so the test data must really be committed. The
# flush after a transactional test empties the tables; serialized_rollback brings back the
# rows migrations created (the ADR schemes, the staff groups) for this test and the next.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TRACKING_NUMBER = re.compile(r"^LMI-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def write_png(path):
    """Write a real 1x1 PNG image, as a customer's screenshot would be."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )
    return path


def sign_up(page, live_server, email, full_name):
    page.goto(live_server.url + reverse("accounts:signup"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_label("Full name").fill(full_name)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()


def open_confirmation_email(page, live_server, email):
    """Follow the link in the confirmation email, read from the outbox as from an inbox."""
    [message] = OutgoingEmail.objects.filter(to=email, subject__startswith="Confirm your email address")
    [link] = re.findall(re.escape(settings.SITE_URL) + r"(/\S+)", message.text_body)
    # The email links to the public SITE_URL; the test's server listens elsewhere.
    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    page.click("#confirm-address")
    expect(page.get_by_role("heading", name="Make a complaint")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("your email address is confirmed and you are logged in")


def file_complaint(page, screenshot):
    page.get_by_role("link", name="Make a complaint").first.click()
    page.get_by_label("Which product or service is it about?").select_option(label="GoToMeeting")
    page.get_by_label("What kind of problem is it?").select_option(label="Service fault")
    page.get_by_label("What went wrong?").fill("Every meeting drops after ten minutes, since Monday.")
    page.get_by_label("What would you like us to do?").fill("Fix it and credit this month.")
    page.get_by_label("Attachments").set_input_files(screenshot)
    page.get_by_role("button", name="Send my complaint").click()
    tracking_number = page.locator("#tracking-number").inner_text().strip()
    return tracking_number


def test_customer_files_a_complaint_follows_it_up_and_nobody_else_can_open_it(live_server, page, browser, tmp_path):
    sign_up(page, live_server, "sam.browser@example.com", "Sam Browser")
    open_confirmation_email(page, live_server, "sam.browser@example.com")

    tracking_number = file_complaint(page, write_png(tmp_path / "dropped-call.png"))

    assert TRACKING_NUMBER.match(tracking_number), tracking_number
    assert normalise_tracking_number(tracking_number) == tracking_number
    assert normalise_tracking_number(tracking_number.lower().replace("-", " ")) == tracking_number
    complaint = Complaint.objects.get(tracking_number=tracking_number)
    assert complaint.customer.email == "sam.browser@example.com"
    assert list(complaint.attachments.values_list("original_name", flat=True)) == ["dropped-call.png"]
    acknowledgement = OutgoingEmail.objects.get(complaint=complaint, kind=EmailKind.ACKNOWLEDGEMENT)
    assert acknowledgement.to == "sam.browser@example.com"
    assert tracking_number in acknowledgement.text_body

    page.get_by_role("link", name="My complaints").first.click()
    page.get_by_role("link", name=tracking_number).click()
    expect(page.get_by_role("heading", name=f"Complaint {tracking_number}")).to_be_visible()
    expect(page.get_by_role("link", name="dropped-call.png").first).to_be_visible()

    page.get_by_label("Your reply").fill("It happened again this morning at 9.30.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".timeline")).to_contain_text("It happened again this morning at 9.30.")

    make_customer("olly.other@example.com", "Olly Other")
    other = browser.new_context().new_page()
    other.goto(live_server.url + reverse("accounts:login"))
    other.get_by_label("Email address").fill("olly.other@example.com")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Log in").click()
    expect(other.get_by_role("heading", name="My complaints")).to_be_visible()
    response = other.goto(live_server.url + reverse("complaints:detail", args=[tracking_number]))
    assert response.status == 404
    expect(other.get_by_text("It happened again this morning")).to_have_count(0)
    other.context.close()
