"""What each message read from the mailbox becomes, and the agents' actions on mail to review.

No IMAP here: messages are built with email.message.EmailMessage and saved as the fetch saves
them (tests/mailin/test_fetch.py reads a real mailbox).
"""

import itertools
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

import clock
from accounts.models import CustomerType
from complaints import services as complaint_services
from complaints.models import (
    Channel,
    Complaint,
    EmailKind,
    EventKind,
    OutgoingEmail,
    Upheld,
)
from complaints.tracking import format_tracking_number
from complaints.uploads import check_upload
from desk import queue
from mailin import parse, services
from mailin.models import InboundMessage, MailStatus
from ombudsman import services as adr_services
from tests.conftest import file_complaint
from tests.ombudsman.conftest import uk
from tests.threads import at_once
from tests.words.reading import leftovers, readable, strict_templates, words  # noqa: F401 - a fixture

AUTHSERV = "mx.portal.example"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# The sender's clock says this; the complaint never counts from it.
SENDERS_DATE = "Thu, 01 Oct 2026 10:00:00 +0100"
NOW = uk(2026, 12, 7, 10)
ARRIVED = uk(2026, 12, 3, 21, 30)
uids = itertools.count(1)


@pytest.fixture(autouse=True)
def _our_mail_server(settings):
    settings.MAIL_IN_AUTHSERV_ID = AUTHSERV


def email_from(sender, text="My broadband drops every evening.", *, subject="My broadband", vouched=False,
               html=None, files=(), **headers):
    """Return a message as the mailbox holds it; ``vouched`` adds our server's DMARC pass for the sender."""
    built = EmailMessage()
    built["From"] = f"Someone <{sender}>"
    built["To"] = "complaints@portal.example"
    built["Subject"] = subject
    built["Date"] = SENDERS_DATE
    built["Message-ID"] = make_msgid(domain="example.com")
    if vouched:
        domain = sender.rpartition("@")[2]
        built["Authentication-Results"] = f"{AUTHSERV}; spf=pass; dkim=pass header.d={domain}; dmarc=pass"
    for name, value in headers.items():
        built[name.replace("_", "-")] = value
    if html is None:
        built.set_content(text)
    else:
        built.set_content(html, subtype="html")
    for name, content in files:
        built.add_attachment(content, maintype="application", subtype="octet-stream", filename=name)
    return built.as_bytes()


def saved(raw, *, arrived_at=None, size=None):
    """Save a message as the fetch does: whole, at its arrival time, not read yet."""
    return InboundMessage.objects.create(
        mailbox="portal@127.0.0.1/INBOX", uidvalidity=1, uid=next(uids), arrived_at=arrived_at or timezone.now(),
        size=len(raw) if size is None else size, raw=ContentFile(raw, name="message.eml"), **parse.summary(raw),
    )


def read_back(message):
    message.refresh_from_db()
    return message


def acknowledgement_of(complaint):
    return complaint.emails.get(kind=EmailKind.ACKNOWLEDGEMENT)


def nothing_made_or_sent(emails_before):
    return not Complaint.objects.exists() and OutgoingEmail.objects.count() == emails_before


# --- replies -----------------------------------------------------------------------------------------


REPLY = (
    "Here is the bill you asked for.\n\n"
    "On Mon, 7 Dec 2026 at 10:00, Complaints <complaints@portal.example> wrote:\n"
    "> We have received your complaint.\n"
    "-- \nDana Customer\n07700 900001\n"
)


def test_a_reply_to_the_acknowledgement_joins_its_complaint_as_the_customers_message(customer, agent):
    complaint = file_complaint(customer)
    raw = email_from(customer.email, REPLY, subject=f"Re: {complaint.tracking_number}",
                     In_Reply_To=acknowledgement_of(complaint).message_id, files=[("bill.pdf", PDF)])
    message = saved(raw)

    assert services.process_pending() == {MailStatus.REPLY: 1}

    event = complaint.events.get(kind=EventKind.MESSAGE)
    assert (event.actor, event.body) == (customer, "Here is the bill you asked for.")
    assert [(file.original_name, file.content_type) for file in event.attachments.all()] == [
        ("bill.pdf", "application/pdf")]
    message = read_back(message)
    assert (message.status, message.complaint, message.event, message.handled_by) == (
        MailStatus.REPLY, complaint, event, None)
    assert message.raw.read() == raw
    replied = Complaint.objects.filter(queue.view_q(queue.View.REPLIED, user=agent, now=timezone.now()))
    assert list(replied) == [complaint]


def test_a_reply_to_a_letter_emailed_joins_its_complaint(customer, agent):
    complaint = file_complaint(customer, received_at=timezone.now() - timedelta(days=60))
    letter = adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Our final position.")
    message = saved(email_from(customer.email, "I will go to the ombudsman.",
                               References=f"<older@example.com> {letter.message_id}"))

    services.process_pending()

    assert read_back(message).status == MailStatus.REPLY
    assert complaint.events.filter(kind=EventKind.MESSAGE, body="I will go to the ombudsman.").exists()


def test_a_reply_from_another_address_waits_for_review(customer):
    complaint = file_complaint(customer)
    message = saved(email_from("someone.else@example.com", "Me too.", vouched=True,
                               In_Reply_To=acknowledgement_of(complaint).message_id))

    services.process_pending()

    assert read_back(message).status == MailStatus.REVIEW
    assert "from another address" in message.reason
    assert not complaint.events.filter(kind=EventKind.MESSAGE).exists()


def test_a_reply_to_an_email_about_no_complaint_waits_for_review(customer):
    account_email = file_complaint(customer).emails.get()
    account_email.complaint = None  # as a password link is: about the account, not a complaint
    account_email.save()
    message = saved(email_from(customer.email, "Thanks.", vouched=True, In_Reply_To=account_email.message_id))

    services.process_pending()

    assert read_back(message).reason == "It answers an email about an account, not about a complaint."
    assert Complaint.objects.count() == 1


def test_a_reply_to_a_closed_complaint_waits_for_review(customer, agent):
    complaint = file_complaint(customer)
    complaint_services.resolve_complaint(complaint=complaint, agent=agent, summary="Fixed.", upheld=Upheld.UPHELD)
    events = complaint.events.count()
    message = saved(email_from(customer.email, "Thanks.", In_Reply_To=acknowledgement_of(complaint).message_id))

    services.process_pending()

    assert read_back(message).status == MailStatus.REVIEW
    assert "which is resolved" in message.reason
    assert complaint.events.count() == events


def test_a_tracking_number_in_the_subject_threads_only_for_the_customer_vouched_for(customer):
    complaint = file_complaint(customer)
    subject = f"About {complaint.tracking_number.lower()}"
    vouched = saved(email_from(customer.email, "More details.", subject=subject, vouched=True))
    not_vouched = saved(email_from(customer.email, "More details.", subject=subject))
    other_address = saved(email_from("olly.other@example.com", "More details.", subject=subject, vouched=True))

    services.process_pending()

    assert read_back(vouched).status == MailStatus.REPLY
    assert read_back(not_vouched).status == MailStatus.REVIEW
    assert not_vouched.reason.startswith("Sender not authenticated")
    assert read_back(other_address).status == MailStatus.REVIEW
    assert complaint.events.filter(kind=EventKind.MESSAGE).count() == 1


def test_a_forged_or_unknown_tracking_number_makes_nothing_and_sends_nothing(customer):
    real = file_complaint(customer)
    emails_before = OutgoingEmail.objects.count()
    forged = real.tracking_number[:-1] + ("0" if real.tracking_number[-1] != "0" else "1")
    unknown = format_tracking_number("0000000")
    messages = [saved(email_from(customer.email, subject=f"Re: {number}", vouched=True))
                for number in (forged, unknown)]

    services.process_pending()

    assert [read_back(message).status for message in messages] == [MailStatus.REVIEW] * 2
    assert "check character is wrong" in messages[0].reason
    assert "No complaint has the tracking number" in messages[1].reason
    assert Complaint.objects.count() == 1 and not real.events.filter(kind=EventKind.MESSAGE).exists()
    assert OutgoingEmail.objects.count() == emails_before


# --- new complaints -----------------------------------------------------------------------------------


def test_an_email_vouched_for_from_a_customer_is_a_complaint_received_at_its_arrival(customer):
    message = saved(email_from(customer.email, "My line has been down since Monday.", vouched=True),
                    arrived_at=ARRIVED)

    with time_machine.travel(NOW, tick=False):
        assert services.process_pending() == {MailStatus.COMPLAINT: 1}

    complaint = Complaint.objects.get()
    assert (complaint.customer, complaint.channel, complaint.received_at) == (customer, Channel.EMAIL, ARRIVED)
    assert complaint.adr_opens_at == clock.adr_opens_at(ARRIVED, complaint.waiting_period_days)
    assert complaint.description == "Subject: My broadband\n\nMy line has been down since Monday."
    assert complaint.desired_outcome == "Not stated in the email: ask the customer."
    acknowledgement = acknowledgement_of(complaint)
    assert acknowledgement.to == customer.email and complaint.tracking_number in acknowledgement.subject
    message = read_back(message)
    assert (message.status, message.complaint) == (MailStatus.COMPLAINT, complaint)
    assert message.event == complaint.events.get(kind=EventKind.FILED)


def test_an_email_not_vouched_for_waits_for_review_and_an_agent_makes_it_a_complaint_from_its_arrival(
        customer, agent):
    message = saved(email_from(customer.email, "My line is down."), arrived_at=ARRIVED)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        services.process_pending()
    assert read_back(message).status == MailStatus.REVIEW and message.arrived_at == ARRIVED
    assert message.reason.startswith("Sender not authenticated")
    assert not Complaint.objects.exists()

    with time_machine.travel(NOW, tick=False):
        complaint = services.make_complaint(message=message, actor=agent, customer=customer)

    assert (complaint.received_at, complaint.channel, complaint.customer) == (ARRIVED, Channel.EMAIL, customer)
    assert complaint.adr_opens_at == clock.adr_opens_at(ARRIVED, complaint.waiting_period_days)
    logged = complaint.events.get(kind=EventKind.RECEIVED_DATE_CHANGED)
    assert (logged.actor, logged.body) == (agent, "Emailed to the complaints mailbox; it arrived on 3 December 2026 "
                                                 "at 21:30.")
    assert list(complaint.emails.values_list("kind", flat=True)) == [EmailKind.ACKNOWLEDGEMENT]
    message = read_back(message)
    assert (message.status, message.complaint, message.handled_by) == (MailStatus.COMPLAINT, complaint, agent)


@pytest.mark.usefixtures("strict_templates")
def test_an_unknown_sender_made_a_customer_by_an_agent_is_invited_to_claim_an_account(agent):
    message = saved(email_from("new.person@example.net", "You cut me off.", vouched=True), arrived_at=ARRIVED)
    services.process_pending()
    assert read_back(message).reason == "Unknown sender: no customer on record has the address new.person@example.net."

    with time_machine.travel(NOW, tick=False):
        complaint = services.make_complaint(message=message, actor=agent, full_name="Nell Person")

    customer = complaint.customer
    assert (customer.email, customer.full_name, customer.customer_type) == (
        "new.person@example.net", "Nell Person", CustomerType.DOMESTIC)
    assert not customer.has_usable_password() and not customer.is_claimed
    assert complaint.received_at == ARRIVED
    invitation = complaint.emails.get(kind=EmailKind.OTHER)
    assert invitation.to == "new.person@example.net" and complaint.tracking_number in invitation.subject
    assert "sign up with this email address, new.person@example.net" in invitation.text_body
    assert "/accounts/signup/" in invitation.text_body
    assert not leftovers(f"{invitation.subject} {words(invitation.text_body)} {readable(invitation.html_body)}")
    assert complaint.emails.filter(kind=EmailKind.ACKNOWLEDGEMENT).exists()


# --- mail that never makes a complaint or an answer -----------------------------------------------------


def test_auto_replies_and_bounces_are_ignored_making_nothing_and_sending_nothing(customer):
    emails_before = OutgoingEmail.objects.count()
    bounce = EmailMessage()
    bounce["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.com>"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce.set_content("Your message could not be delivered.")
    bounce.add_attachment("Reporting-MTA: dns; mx.example.com\n", subtype="delivery-status")
    bounce.set_type("multipart/report")
    bounce.set_param("report-type", "delivery-status")
    messages = [
        saved(email_from(customer.email, "I am away until Monday.", vouched=True, Auto_Submitted="auto-replied")),
        saved(bounce.as_bytes()),
        saved(email_from(customer.email, "Out of office", vouched=True, X_Autoreply="yes")),
    ]

    assert services.process_pending() == {MailStatus.IGNORED: 3}

    assert [read_back(message).status for message in messages] == [MailStatus.IGNORED] * 3
    assert "report-type=delivery-status" in messages[1].reason
    assert all(message.handled_at for message in messages)
    assert nothing_made_or_sent(emails_before)


def test_results_from_another_authserv_id_vouch_for_nobody(customer):
    emails_before = OutgoingEmail.objects.count()
    message = saved(email_from(customer.email, "My line is down.",
                               Authentication_Results="mx.forger.example; dmarc=pass header.from=example.com"))

    services.process_pending()

    assert read_back(message).status == MailStatus.REVIEW
    assert message.reason.startswith("Sender not authenticated")
    assert nothing_made_or_sent(emails_before)


def test_a_message_over_the_size_limit_waits_for_review_unread_with_its_original(customer, settings):
    raw = email_from(customer.email, "A huge scan attached.", vouched=True)
    message = saved(raw, size=30 * 1024 * 1024)

    services.process_pending()

    assert read_back(message).status == MailStatus.REVIEW
    assert message.reason == "Too big to read automatically (30 MB; the limit is 25 MB)."
    assert message.raw.read() == raw and not Complaint.objects.exists()


def test_a_malformed_message_waits_for_review_with_its_original(customer):
    raw = (f"From: {customer.email}\r\nAuthentication-Results: {AUTHSERV}; dmarc=pass\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\nMy line \xff\xfe is down\r\n").encode("latin-1")
    message = saved(raw)

    services.process_pending()

    assert read_back(message).status == MailStatus.REVIEW
    assert message.reason == "Unreadable: its text is not in the encoding it declares (utf-8)."
    assert message.raw.read() == raw and not Complaint.objects.exists()


def test_a_file_the_web_form_refuses_keeps_the_message_for_review(customer):
    complaint = file_complaint(customer)
    message = saved(email_from(customer.email, "The invoice.", In_Reply_To=acknowledgement_of(complaint).message_id,
                               files=[("invoice.exe", b"MZ\x90\x00")]))

    services.process_pending()

    assert read_back(message).status == MailStatus.REVIEW
    with pytest.raises(ValidationError) as web_form:
        check_upload(SimpleUploadedFile("invoice.exe", b"MZ\x90\x00"))
    assert message.reason == f"A file cannot be attached as the web form would refuse it: {web_form.value.messages[0]}"
    assert not complaint.attachments.exists() and not complaint.events.filter(kind=EventKind.MESSAGE).exists()


def test_an_unexpected_failure_on_one_message_leaves_it_for_review_and_the_others_are_read(customer):
    broken = saved(email_from(customer.email, "First."))
    broken.raw.storage.delete(broken.raw.name)  # its file lost from storage
    fine = saved(email_from(customer.email, "Second.", vouched=True))

    assert services.process_pending() == {MailStatus.REVIEW: 1, MailStatus.COMPLAINT: 1}

    assert read_back(broken).status == MailStatus.REVIEW
    assert broken.reason.startswith("The portal failed while reading it (FileNotFoundError")
    assert read_back(fine).status == MailStatus.COMPLAINT


def test_a_message_already_read_is_left_as_it_is(customer):
    message = saved(email_from(customer.email, "Hello."))
    services.process_pending()

    assert services.process(message) == MailStatus.REVIEW
    assert services.process_pending() == {}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason=(
    "needs PostgreSQL to race: on SQLite process_pending's transactions begin IMMEDIATE (settings), so "
    "two readers take turns and each sees the other's rows already read; skip_locked has nothing to skip"))
def test_two_readers_at_once_read_each_message_once(customer):
    complaint = file_complaint(customer)
    acknowledgement = acknowledgement_of(complaint).message_id
    messages = [saved(email_from(customer.email, f"Reply {number}.", In_Reply_To=acknowledgement))
                for number in range(20)]

    def read_mail(wait):
        wait()
        return services.process_pending()

    results, errors = at_once(2, read_mail)

    assert errors == []
    assert sum(result.get(MailStatus.REPLY, 0) for result in results) == 20
    assert complaint.events.filter(kind=EventKind.MESSAGE).count() == 20
    assert {read_back(message).status for message in messages} == {MailStatus.REPLY}
