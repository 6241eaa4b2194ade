"""Emails to customers about a complaint ask for replies at the portal's mailbox and name the
complaint in their subject, so an answer threads; staff's emails ask for no reply there."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts import services as account_services
from complaints import outbox
from complaints import services as complaint_services
from complaints.models import EmailKind, EmailStatus, OutgoingEmail, Upheld
from ombudsman import delivery
from ombudsman import services as ombudsman_services
from ombudsman.models import Delivery
from reports import services as report_services
from tests.conftest import file_complaint
from tests.ombudsman.conftest import file_due_complaint

MAILBOX = "complaints@replies.example.com"
REFUSING_BACKEND = "tests.complaints.backends.RefusingBackend"


@pytest.fixture(autouse=True)
def _mailbox(settings):
    settings.MAIL_IN_ADDRESS = MAILBOX


def send(email):
    """Deliver a queued email through the real outbox; return the message the mail server got."""
    assert outbox.deliver(email.pk) == EmailStatus.SENT
    return mail.outbox[-1].message()


def send_adr_letter(customer):
    letter = ombudsman_services.create_adr_letter(complaint=file_due_complaint(customer))
    assert letter.delivery == Delivery.EMAIL
    delivery.deliver(letter.pk)
    return letter, mail.outbox[-1].message()


def acknowledgement(complaint):
    return complaint.emails.get(kind=EmailKind.ACKNOWLEDGEMENT)


def reply_notification(complaint, agent):
    complaint_services.add_staff_message(complaint=complaint, agent=agent, body="We are checking your bill.")
    return complaint.emails.get(kind=EmailKind.REPLY)


def final_answer(complaint, agent):
    complaint_services.resolve_complaint(complaint=complaint, agent=agent, summary="We refunded the charge.",
                                         upheld=Upheld.UPHELD)
    return complaint.emails.get(kind=EmailKind.STATUS)


@pytest.mark.parametrize("email_for", [
    lambda complaint, agent: acknowledgement(complaint),
    reply_notification,
    final_answer,
], ids=["acknowledgement", "reply notification", "final answer"])
def test_an_email_to_the_customer_asks_for_replies_at_the_mailbox_and_names_the_complaint(
    complaint, agent, email_for
):
    email = email_for(complaint, agent)

    message = send(email)

    assert email.reply_to == MAILBOX
    assert message["Reply-To"] == MAILBOX
    assert complaint.tracking_number in message["Subject"]
    assert message["Message-ID"] == email.message_id


def test_an_adr_letter_by_email_asks_for_replies_at_the_mailbox_and_names_the_complaint(customer):
    letter, message = send_adr_letter(customer)

    assert message["Reply-To"] == MAILBOX
    assert letter.complaint.tracking_number in message["Subject"]
    assert message["To"] == customer.email


def test_a_deadline_warning_to_staff_asks_for_no_reply_at_the_mailbox(customer, agent, manager):
    complaint = file_due_complaint(customer)
    complaint_services.assign_complaint(complaint=complaint, agent=agent, actor=manager)
    complaint.refresh_from_db()
    ombudsman_services.warn_deadline(complaint=complaint)

    warnings = complaint.emails.filter(kind=EmailKind.DEADLINE_WARNING)
    assert {email.to for email in warnings} == {agent.email, manager.email}
    for email in warnings:
        assert email.reply_to == ""
        assert send(email)["Reply-To"] is None


def test_telling_the_agent_what_the_customer_did_asks_for_no_reply_at_the_mailbox(complaint, customer, agent):
    complaint_services.assign_complaint(complaint=complaint, agent=agent, actor=agent)
    complaint_services.propose_resolution(complaint=complaint, agent=agent, proposal="A month's credit.",
                                          upheld=Upheld.UPHELD)
    complaint_services.accept_resolution(complaint=complaint, customer=customer)

    email = complaint.emails.get(to=agent.email)

    assert email.reply_to == ""
    assert send(email)["Reply-To"] is None


def test_the_weekly_digest_asks_for_no_reply_at_the_mailbox(manager):
    (digest,) = report_services.send_weekly_digest()

    assert digest.reply_to == ""
    assert send(digest)["Reply-To"] is None


def test_a_password_link_asks_for_no_reply_at_the_mailbox(customer):
    email = account_services.send_password_reset_link(user=customer)

    assert email.reply_to == ""
    assert send(email)["Reply-To"] is None


def test_without_a_mailbox_nothing_asks_for_replies(settings, customer, agent):
    settings.MAIL_IN_ADDRESS = ""
    complaint = file_complaint(customer)
    reply_notification(complaint, agent)

    for email in OutgoingEmail.objects.all():
        assert send(email)["Reply-To"] is None
    _letter, message = send_adr_letter(customer)
    assert message["Reply-To"] is None


def test_a_retry_asks_for_the_reply_address_of_its_first_attempt(complaint, settings):
    email = acknowledgement(complaint)
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert outbox.deliver(email.pk) == EmailStatus.PENDING
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        settings.MAIL_IN_ADDRESS = "elsewhere@replies.example.com"
        traveller.shift(timedelta(hours=1))

        message = send(email)

    assert message["Reply-To"] == MAILBOX


def test_a_letter_keeps_the_reply_to_it_was_written_with(customer, settings):
    settings.MAIL_IN_ADDRESS = "replies@complaints.example.com"
    letter = ombudsman_services.create_adr_letter(complaint=file_due_complaint(customer))
    settings.MAIL_IN_ADDRESS = "moved@complaints.example.com"

    delivery.deliver(letter.pk)

    assert mail.outbox[-1].message()["Reply-To"] == "replies@complaints.example.com"


def test_the_acknowledgement_invites_a_reply_by_email_only_when_the_mailbox_is_read(customer, settings):
    settings.MAIL_IN_ADDRESS = ""
    without = file_complaint(customer).emails.get(kind=EmailKind.ACKNOWLEDGEMENT).text_body
    settings.MAIL_IN_ADDRESS = "replies@complaints.example.com"
    with_mailbox = file_complaint(customer).emails.get(kind=EmailKind.ACKNOWLEDGEMENT).text_body

    assert "rather than replying to this email" in without
    assert "reply to this email, or use our complaints website" in with_mailbox
