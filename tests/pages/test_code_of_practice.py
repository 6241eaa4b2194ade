import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from complaints import outbox
from complaints.models import EmailKind, OutgoingEmail
from complaints_portal import code_of_practice

from .helpers import page_text, squash

START = "LogMeIn has published this Code of Practice for Complaint Handling and Dispute Resolution"
MIDDLE = ("If we have not resolved your complaint to your satisfaction after 8 weeks or if you have received "
          'a letter from us saying that your complaint has reached "deadlock"')
END = "This Code has been approved by Ofcom for the purposes of section 52 of the Communications Act 2003."


@pytest.fixture
def code_text():
    return code_of_practice.text()


def ask_for_copy(client, email):
    return client.post(reverse("code_of_practice"), {"email": email})


def test_code_page_publishes_the_code_in_full(client, db, code_text):
    text = page_text(client.get(reverse("code_of_practice")))

    for sentence in (START, MIDDLE, END):
        assert sentence in text
    for line in code_text.splitlines():
        assert squash(line) in text


def test_code_page_turns_sections_into_headings(client, db):
    content = client.get(reverse("code_of_practice")).content.decode()

    assert '<h1 id="code-title">LogMeIn Code of Practice Regarding Complaint Handling' in content
    assert '<h2 id="section-i">I. Introduction</h2>' in content
    assert '<h2 id="section-vii">VII. Additional Information</h2>' in content
    assert "<h3>Complaints and Disputes</h3>" in content


def test_code_page_keeps_the_line_breaks_of_contact_details(client, db):
    content = client.get(reverse("code_of_practice")).content.decode()

    assert "PO Box 730<br>Warrington<br>WA4 6WU" in content
    assert "Riverside House<br>2a Southwark Bridge Road<br>London<br>SE1 9HA" in content


def test_code_page_offers_a_free_copy_by_email(client, db):
    content = client.get(reverse("code_of_practice")).content.decode()

    assert "Email me a free copy" in content
    assert re.search(r'<label\s+for="id_email"[^>]*>\s*Your email address', content)


def test_invalid_email_shows_an_error_and_keeps_what_was_typed(client, db):
    response = ask_for_copy(client, "dana at example")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Enter a valid email address." in content
    assert 'value="dana at example"' in content
    assert not OutgoingEmail.objects.exists()


def test_missing_email_is_required(client, db):
    response = ask_for_copy(client, "")

    assert "This field is required." in response.content.decode()
    assert not OutgoingEmail.objects.exists()


def test_valid_email_queues_the_full_code_and_redirects(client, db, code_text):
    response = ask_for_copy(client, "reader@example.com")

    assert response.status_code == 302
    assert response.url == reverse("code_of_practice") + "#main"
    email = OutgoingEmail.objects.get()
    assert email.kind == EmailKind.CODE_OF_PRACTICE
    assert email.to == "reader@example.com"
    assert email.complaint is None
    assert code_text in email.text_body
    assert "&quot;" not in email.text_body
    assert '<h2 id="section-iv">IV. Customer Service</h2>' in email.html_body
    assert "Code of Practice" in email.subject


def test_success_message_says_the_copy_is_free_and_on_its_way(client, db):
    response = client.post(reverse("code_of_practice"), {"email": "reader@example.com"}, follow=True)

    text = page_text(response)
    assert "A free copy of the Code of Practice is on its way to reader@example.com." in text


def test_queued_copy_is_delivered_to_the_address(client, db, code_text):
    ask_for_copy(client, "reader@example.com")
    email = OutgoingEmail.objects.get()

    outbox.deliver(email.id)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reader@example.com"]
    assert code_text in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"


def test_copy_is_sent_by_the_task_once_the_request_commits(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ask_for_copy(client, "reader@example.com")

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.get().status == "sent"


def test_fourth_copy_to_one_address_within_a_day_is_refused(client, db):
    for _ in range(3):
        assert ask_for_copy(client, "reader@example.com").status_code == 302

    response = ask_for_copy(client, "Reader@Example.com")

    assert response.status_code == 200
    assert "We have already sent 3 copies to this address in the last 24 hours." in page_text(response)
    assert OutgoingEmail.objects.count() == 3


def test_limit_applies_to_each_address_separately(client, db):
    for _ in range(3):
        ask_for_copy(client, "reader@example.com")

    assert ask_for_copy(client, "someone.else@example.com").status_code == 302


def test_limit_counts_only_code_of_practice_emails(client, db):
    for _ in range(3):
        OutgoingEmail.objects.create(kind=EmailKind.OTHER, to="reader@example.com", subject="x", text_body="x")

    assert ask_for_copy(client, "reader@example.com").status_code == 302


def test_limit_lifts_after_24_hours(client, db):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            ask_for_copy(client, "reader@example.com")

    with time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False):
        assert ask_for_copy(client, "reader@example.com").status_code == 200
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        assert ask_for_copy(client, "reader@example.com").status_code == 302
