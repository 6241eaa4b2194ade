"""Each sentence issue 14 found wrong, read as the customer reads it now (one test or more each).

Pages are read as text (tests/words/reading.py: tags gone, whitespace collapsed), emails and
letters as sent, PDFs through pdftotext.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

import clock
from complaints import printing, services
from complaints.models import EmailStatus, Event, EventKind, OutgoingEmail, Status, Upheld
from complaints.outbox import deliver
from ombudsman import services as adr_services
from ombudsman.models import Scheme
from tests.conftest import file_complaint
from tests.words.reading import page_text, pdf_text, words

# The scheme as the Code names it (ombudsman migration 0002): its full name needs "the".
FULL_NAME = "Office of the Telecommunications Ombudsman (Otelo)"


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


def detail(client, complaint):
    return page_text(client.get(complaint.get_absolute_url()))


def due(customer, days=60, **fields):
    return file_complaint(customer, received_at=timezone.now() - timedelta(days=days), **fields)


# --- "A template comment is shown on every customer complaint page" ----------------------

def test_the_complaint_page_shows_no_template_comment(customer_client, complaint):
    html = customer_client.get(complaint.get_absolute_url()).content.decode()
    assert "{#" not in html and "#}" not in html
    assert "The ADR panel on a complaint's page" not in html


# --- "We have emailed an acknowledgement" while it is only queued ---------------------------

def test_the_confirmation_says_the_acknowledgement_is_being_sent_until_it_has_gone(customer_client, complaint):
    email = complaint.emails.get()
    assert email.status == EmailStatus.PENDING
    filed = reverse("complaints:filed", args=[complaint.tracking_number])

    text = page_text(customer_client.get(filed))
    assert f"We are sending an acknowledgement to {complaint.customer.email}" in text
    assert "We have emailed" not in text and "We emailed" not in text

    deliver(email.pk)
    email.refresh_from_db()
    text = page_text(customer_client.get(filed))
    assert f"We emailed an acknowledgement to {complaint.customer.email} on {clock.uk_date(email.sent_at):%-d %B %Y}" \
           in text


def test_the_confirmation_says_when_an_acknowledgement_email_failed(customer_client, complaint):
    OutgoingEmail.objects.filter(complaint=complaint).update(status=EmailStatus.FAILED)
    text = page_text(customer_client.get(reverse("complaints:filed", args=[complaint.tracking_number])))
    assert f"We could not email an acknowledgement to {complaint.customer.email}. This page is your acknowledgement" \
           in text


def test_the_confirmation_says_a_letter_is_being_posted_to_a_customer_who_prefers_post(customer_client, customer):
    customer.preferred_contact = "post"
    customer.save()
    complaint = file_complaint(customer)
    text = page_text(customer_client.get(reverse("complaints:filed", args=[complaint.tracking_number])))
    assert "We are posting an acknowledgement letter to you" in text
    assert "email" not in text.split("What happens next")[1].split("View your complaint")[0]


def track(client, complaint):
    return page_text(client.post(reverse("complaints:track"), {
        "tracking_number": complaint.tracking_number, "email": complaint.customer.email,
    }))


def test_the_track_page_keeps_the_status_apart_from_the_acknowledgement_emails_delivery(client, complaint):
    text = track(client, complaint)
    assert "Status Received" in text
    assert "Acknowledgement Being sent to you by email" in text
    assert "Not yet" not in text

    email = complaint.emails.get()
    deliver(email.pk)
    email.refresh_from_db()
    assert f"Acknowledgement Emailed to you on {clock.uk_date(email.sent_at):%-d %B %Y}" in track(client, complaint)


# --- "the track page shows no date of the last update" (and what happens next) --------------

def test_the_track_page_shows_the_last_updates_date_and_what_happens_next(client, customer, agent):
    complaint = due(customer, days=10)
    services.request_information(complaint=complaint, agent=agent, body="Could you send the bill?")
    latest = clock.uk_date(complaint.events.for_customer().order_by("-created_at").first().created_at)

    text = track(client, complaint)
    assert f"Last update {latest:%-d %B %Y}" in text
    assert "Status Waiting for your reply" in text
    assert "What happens next We have asked you for more information." in text
    assert f"If we have not resolved it by {complaint.adr_deadline_date:%-d %B %Y}, you can take it to the " \
           f"{FULL_NAME}" in text


# --- "take it to Office of the Telecommunications Ombudsman" (no "the") ---------------------

def no_missing_the(text):
    return re.search(r"\b(to|ask|contact) Office of\b", text) is None


def test_the_final_answer_says_the_schemes_name_with_the(complaint, agent):
    services.resolve_complaint(complaint=complaint, agent=agent, summary="We fixed it.", upheld=Upheld.UPHELD)
    answer = words(complaint.events.get(data__final_answer=True).body)
    assert f"you can ask the {FULL_NAME} to look at your complaint" in answer
    assert "You can contact Otelo from" in answer
    assert no_missing_the(answer)


def test_the_acknowledgement_and_the_adr_letters_email_say_the_schemes_name_with_the(
    customer, django_capture_on_commit_callbacks, mailoutbox
):
    complaint = file_complaint(customer)
    acknowledgement = complaint.emails.get()
    assert f"you can take it to the {FULL_NAME}" in words(acknowledgement.text_body)
    assert f"you can take it to the {FULL_NAME}" in page_text(acknowledgement.html_body)

    late = due(customer)
    with django_capture_on_commit_callbacks(execute=True):
        adr_services.create_adr_letter(complaint=late)
    [letter_email] = [message for message in mailoutbox if message.attachments]
    body = words(letter_email.body)
    assert f"It tells you how to take your complaint to the {FULL_NAME}, which is free" in body
    assert no_missing_the(body)
    assert letter_email.subject == f"Your complaint {late.tracking_number}: you can now take it to the ombudsman"


def test_the_profile_says_the_schemes_name_with_the_and_no_bracketed_adr(customer_client):
    text = page_text(customer_client.get(reverse("accounts:profile")))
    assert f"You have the right to take a complaint we have not resolved to the {FULL_NAME}, an independent " \
           "ombudsman scheme. It is free for you to use." in text
    assert "(Otelo) (ADR)" not in text


def test_the_ombudsman_page_says_the_schemes_name_with_the(customer_client, customer):
    complaint = due(customer)
    adr_services.create_adr_letter(complaint=complaint)
    text = page_text(customer_client.get(reverse("ombudsman:refer", args=[complaint.tracking_number])))
    assert f"You can ask the {FULL_NAME} to look at complaint {complaint.tracking_number}." in text
    assert "How to contact Otelo" in text
    assert no_missing_the(text)


def test_letters_name_the_scheme_once_and_its_operator_on_a_line_of_its_own(customer):
    letter = adr_services.create_adr_letter(complaint=due(customer))
    for text in (words(letter.text), pdf_text(printing.ensure_pdf(letter))):
        assert "(Otelo) (run by" not in text
        assert f"{FULL_NAME} Run by Ombudsman Services" in text
        assert f"you can now take your complaint to the {FULL_NAME}, the independent ombudsman scheme we belong " \
               "to" in text


def test_a_scheme_whose_name_takes_no_the_reads_without_one(customer_client, customer, agent):
    Scheme.objects.filter(is_provider_scheme=True).update(name="Ombudsman Services", name_takes_the=False)
    complaint = file_complaint(customer)
    assert "you can take it to Ombudsman Services, an independent" in words(complaint.emails.get().text_body)
    services.resolve_complaint(complaint=complaint, agent=agent, summary="Fixed.", upheld=Upheld.UPHELD)
    assert "you can ask Ombudsman Services to look at" in words(complaint.events.get(data__final_answer=True).body)
    assert "the Ombudsman Services" not in detail(customer_client, complaint)


# --- one deadlock event and one banner -------------------------------------------------------

def test_a_deadlock_is_one_event_that_keeps_what_both_recorded(customer, agent):
    complaint = file_complaint(customer)
    letter = adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Our position is final.")

    [event] = complaint.events.filter(kind__in=[EventKind.DEADLOCK, EventKind.STATUS_CHANGED])
    assert event.kind == EventKind.DEADLOCK and event.summary == "Complaint in deadlock"
    assert event.actor == agent and event.body == "Our position is final."
    assert event.data == {"from": Status.RECEIVED, "to": Status.DEADLOCK, "letter_id": letter.pk}


def test_a_deadlocked_complaints_page_has_one_event_and_one_banner(customer_client, customer, agent):
    complaint = file_complaint(customer)
    adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Our position is final.")
    text = detail(customer_client, complaint)

    assert text.count("You can take this complaint to") == 1
    assert f"You can take this complaint to the {FULL_NAME} now" in text
    assert "We have given you our final position, so you do not have to wait any longer." in text
    assert text.count("reached deadlock") == 1
    assert "Status changed to deadlock" not in text


def test_an_old_deadlock_recorded_twice_reads_once(customer_client, customer, agent):
    """Before there was one event, a status change came with the deadlock event: the page shows one."""
    complaint = file_complaint(customer)
    adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Our position is final.")
    Event.objects.create(complaint=complaint, kind=EventKind.STATUS_CHANGED, actor=agent,
                                  summary="Status changed to deadlock", body="Our position is final.",
                                  data={"from": "received", "to": "deadlock"})
    text = detail(customer_client, complaint)
    assert text.count("reached deadlock") == 1 and "Status changed to deadlock" not in text


# --- "The customer replied." on the customer's own timeline ----------------------------------

def test_the_customers_own_timeline_says_you_replied(customer_client, customer, agent):
    complaint = file_complaint(customer)
    services.request_information(complaint=complaint, agent=agent, body="Which meeting was it?")
    services.add_customer_message(complaint=complaint, customer=customer, body="Meeting 123.")
    text = detail(customer_client, complaint)

    assert "You replied, so we are looking into your complaint again" in text
    assert "You sent us a message" in text
    assert "The customer replied" not in text and "The customer" not in text
    assert "Status changed to" not in text and "Message from the customer" not in text


def test_the_customers_own_timeline_says_you_turned_down_our_proposal_with_your_reason(customer_client, customer,
                                                                                        agent):
    complaint = file_complaint(customer)
    services.propose_resolution(complaint=complaint, agent=agent, proposal="An apology.", upheld=Upheld.PARTLY)
    services.reject_resolution(complaint=complaint, customer=customer, reason="It does not fix the fault.")
    text = detail(customer_client, complaint)
    assert "You turned down our proposed resolution, so we are looking into your complaint again" in text
    assert "Your reason: It does not fix the fault." in text
    assert "The customer rejected" not in text


# --- the close-account page ("does not withdraw them ... looking into it") ------------------

@pytest.mark.parametrize("count", [1, 2])
def test_the_close_account_page_says_it_or_them_as_many_complaints_as_are_open(customer_client, customer, count):
    for _ in range(count):
        file_complaint(customer)
    text = page_text(customer_client.get(reverse("privacy:close_account")))
    if count == 1:
        assert "Closing your account does not withdraw your open complaint. We will keep looking into it and write " \
               "to you by email." in text
        assert "Also withdraw my open complaint: I no longer want you to look into it." in text
    else:
        assert "Closing your account does not withdraw your 2 open complaints. We will keep looking into them and " \
               "write to you by email." in text
        assert "Also withdraw my open complaints: I no longer want you to look into them." in text
    assert "withdraw them. We will go on looking into it" not in text


# --- upload limits said up front --------------------------------------------------------------

def test_the_complaint_form_and_the_reply_form_say_the_upload_limits(customer_client, complaint, settings):
    rule = "Up to 5 files, each 10 MB or smaller: PDF, PNG or JPEG."
    assert rule in page_text(customer_client.get(reverse("complaints:new")))
    assert rule in detail(customer_client, complaint)

    settings.ATTACHMENT_MAX_FILES, settings.ATTACHMENT_MAX_BYTES = 3, 2 * 1024 * 1024
    assert "Up to 3 files, each 2 MB or smaller: PDF, PNG or JPEG." in \
           page_text(customer_client.get(reverse("complaints:new")))


# --- no internal words to the customer --------------------------------------------------------

def test_the_customers_page_says_the_status_in_their_words(customer_client, customer, agent):
    complaint = file_complaint(customer)
    services.propose_resolution(complaint=complaint, agent=agent, proposal="A credit.", upheld=Upheld.PARTLY)
    text = detail(customer_client, complaint)
    assert "Status: We have proposed a resolution" in text
    assert "Resolution proposed" not in text and "resolution_proposed" not in text


def test_the_letters_list_says_what_happened_to_each_letter(customer_client, customer, agent):
    complaint = due(customer)
    adr_services.create_adr_letter(complaint=complaint)
    text = detail(customer_client, complaint)
    assert "Letter: you can now take your complaint to the ombudsman" in text
    assert "End of waiting period letter" not in text and "print queue" not in text


def test_emails_say_our_complaints_website_not_the_portal(customer, agent):
    complaint = file_complaint(customer)
    services.add_staff_message(complaint=complaint, agent=agent, body="Hello.")
    for email in complaint.emails.all():
        assert "portal" not in email.text_body.lower() and "portal" not in page_text(email.html_body).lower()
