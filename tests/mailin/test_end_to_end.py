"""Through a real mailbox: emails put in Dovecot, then the fetch saves and reads them.

tests/mailin/test_services.py shows each decision at length on messages saved directly; here
the main paths run from IMAP, with the arrival time the server gives (its INTERNALDATE), as
the beat's task and ``manage.py fetch_mail`` run them (mailin.fetch.fetch).
"""

import hashlib
import tracemalloc
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
import time_machine

import clock
from complaints.models import Channel, Complaint, EmailKind, EventKind, OutgoingEmail
from mailin import imap, services
from mailin.fetch import fetch
from mailin.models import InboundMessage, MailStatus
from tests.conftest import file_complaint
from tests.ombudsman.conftest import uk

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

AUTHSERV = "mx.portal.example"
FILED = uk(2026, 12, 1, 9)
ARRIVED = uk(2026, 12, 3, 21, 30)
NOW = uk(2026, 12, 7, 10)


@pytest.fixture(autouse=True)
def _our_mail_server(settings):
    settings.MAIL_IN_AUTHSERV_ID = AUTHSERV


def email_from(sender, text, *, subject="My broadband", vouched=False, **headers):
    """Return an email; ``vouched`` adds our receiving server's DMARC pass for the sender."""
    built = EmailMessage()
    built["From"] = f"Someone <{sender}>"
    built["To"] = "complaints@portal.example"
    built["Subject"] = subject
    # The sender's clock: nothing counts from it.
    built["Date"] = "Thu, 01 Oct 2026 10:00:00 +0100"
    built["Message-ID"] = make_msgid(domain="example.com")
    if vouched:
        built["Authentication-Results"] = f"{AUTHSERV}; spf=pass; dmarc=pass header.from={sender.split('@')[1]}"
    for name, value in headers.items():
        built[name.replace("_", "-")] = value
    built.set_content(text)
    return built.as_bytes().replace(b"\n", b"\r\n")


def fetched():
    with time_machine.travel(NOW, tick=False):
        return fetch()


def test_a_reply_to_an_acknowledgement_lands_on_its_complaint(mail_folder, customer):
    with time_machine.travel(FILED, tick=False):
        complaint = file_complaint(customer)
    acknowledgement = complaint.emails.get(kind=EmailKind.ACKNOWLEDGEMENT)
    mail_folder.append(email_from(customer.email, "Here is the bill you asked for.\n",
                                  subject=f"Re: {acknowledgement.subject}", In_Reply_To=acknowledgement.message_id),
                       arrived_at=ARRIVED)

    assert fetched().processed == {MailStatus.REPLY: 1}

    assert complaint.events.filter(kind=EventKind.MESSAGE, actor=customer,
                                   body="Here is the bill you asked for.").exists()
    assert InboundMessage.objects.get().complaint == complaint


def test_a_new_email_makes_a_complaint_whose_adr_date_counts_from_its_arrival(mail_folder, customer):
    mail_folder.append(email_from(customer.email, "My line has been down since Monday.\n", vouched=True),
                       arrived_at=ARRIVED)

    assert fetched().processed == {MailStatus.COMPLAINT: 1}

    complaint = Complaint.objects.get()
    assert (complaint.customer, complaint.channel, complaint.received_at) == (customer, Channel.EMAIL, ARRIVED)
    assert complaint.adr_opens_at == clock.adr_opens_at(ARRIVED, complaint.waiting_period_days)
    acknowledgement = complaint.emails.get(kind=EmailKind.ACKNOWLEDGEMENT)
    assert acknowledgement.to == customer.email and complaint.tracking_number in acknowledgement.subject


def test_an_unauthenticated_email_waits_for_review_then_an_agent_makes_it_a_complaint_from_its_arrival(
        mail_folder, customer, agent):
    mail_folder.append(email_from(customer.email, "My line is down.\n"), arrived_at=ARRIVED)

    assert fetched().processed == {MailStatus.REVIEW: 1}
    message = InboundMessage.objects.get()
    assert (message.arrived_at, message.reason[:24]) == (ARRIVED, "Sender not authenticated")
    assert not Complaint.objects.exists()

    with time_machine.travel(NOW, tick=False):
        complaint = services.make_complaint(message=message, actor=agent, customer=customer)

    assert complaint.received_at == ARRIVED
    assert complaint.adr_opens_at == clock.adr_opens_at(ARRIVED, complaint.waiting_period_days)


def test_an_auto_reply_a_bounce_and_a_forged_tracking_number_make_nothing_and_send_nothing(mail_folder, customer):
    with time_machine.travel(FILED, tick=False):
        real = file_complaint(customer)
    emails_before = OutgoingEmail.objects.count()
    forged = real.tracking_number[:-1] + ("0" if real.tracking_number[-1] != "0" else "1")
    bounce = EmailMessage()
    bounce["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.com>"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce.set_content("Your message could not be delivered.")
    bounce.add_attachment("Reporting-MTA: dns; mx.example.com\n", subtype="delivery-status")
    bounce.set_type("multipart/report")
    bounce.set_param("report-type", "delivery-status")
    mail_folder.append_all([
        email_from(customer.email, "I am away until Monday.\n", vouched=True, Auto_Submitted="auto-replied"),
        bounce.as_bytes(),
        email_from(customer.email, "About my complaint.\n", subject=f"Re: {forged}", vouched=True),
    ], arrived_at=ARRIVED)

    assert fetched().processed == {MailStatus.IGNORED: 2, MailStatus.REVIEW: 1}

    assert Complaint.objects.get() == real and not real.events.filter(kind=EventKind.MESSAGE).exists()
    assert OutgoingEmail.objects.count() == emails_before


def test_a_30_mb_message_and_a_malformed_one_wait_for_review_with_their_originals(mail_folder, customer):
    line = b"0123456789" * 9 + b"\r\n"
    huge = email_from(customer.email, "Scans attached.\n", vouched=True) + line * (30_000_000 // len(line))
    malformed = (f"From: {customer.email}\r\nAuthentication-Results: {AUTHSERV}; dmarc=pass\r\n"
                 "Content-Type: text/plain; charset=utf-8\r\n\r\nMy line \xff\xfe is down\r\n").encode("latin-1")
    mail_folder.append_all([huge, malformed], arrived_at=ARRIVED)
    size, digest = len(huge), hashlib.sha256(huge).hexdigest()
    del huge

    tracemalloc.start()
    try:
        assert fetched().processed == {MailStatus.REVIEW: 2}
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    too_big, unreadable = InboundMessage.objects.order_by("uid")
    assert too_big.reason.startswith("Too big to read automatically") and too_big.size == size
    with too_big.raw.open("rb") as raw:
        assert hashlib.file_digest(raw, "sha256").hexdigest() == digest
    assert peak < 8 * imap.CHUNK_BYTES, f"the fetch held {peak:,} bytes at once: it must read in pieces"
    assert unreadable.reason.startswith("Unreadable") and unreadable.raw.read() == malformed
    assert not Complaint.objects.exists()
