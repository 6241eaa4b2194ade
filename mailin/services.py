"""What each message read from the mailbox becomes, and the agents' actions on those waiting for review.

The portal decides alone only where nothing is in doubt: automatic mail (auto-replies, bounces,
lists) is ignored and never answered; a reply that threads into a complaint joins its timeline;
an email from a customer on record whose address our receiving server vouches for becomes a
complaint. Everything else waits for review ("Emails received" on the desk) with the reason,
its arrival time and its original kept, for an agent to attach to a complaint, make a complaint
from, or dismiss. A complaint made from an email counts from the email's arrival (the mail
server's INTERNALDATE), never from when it was read or the sender's Date: header.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

import clock
from accounts.models import CustomerType, User
from complaints import outbox
from complaints import services as complaint_services
from complaints.models import Category, Channel, Complaint, EmailKind, EventKind, Product
from complaints.uploads import size_in_words
from mailin import parse
from mailin.models import InboundMessage, MailStatus

log = logging.getLogger(__name__)

# The portal's own decisions an agent may still make otherwise.
OPEN_TO_AGENTS = (MailStatus.REVIEW, MailStatus.IGNORED)


def _by_email(message):
    """Say, in a timeline event's data, which email a customer's message came in."""
    return {"by": "email", "inbound_message_id": message.pk}

def original(message, limit=None):
    """Return the message as it arrived (its first ``limit`` bytes if given)."""
    with message.raw.open("rb") as handle:
        return handle.read(limit) if limit else handle.read()


def known_customer(address):
    """Return the customer on record with this email address (never staff, nor an unconfirmed sign-up)."""
    if not address:
        return None
    return User.objects.filter(email=User.objects.normalize_email(address), is_staff=False,
                               awaiting_confirmation=False, is_active=True).first()


# --- the portal reads what the fetch saved --------------------------------------------------------


def process_pending(limit=500):
    """Read the messages saved and not read yet, oldest first; return how many became what (by status).

    Each is claimed in a transaction of its own, skipping rows another reader holds, so two
    readers at once share the work. A message whose reading fails unexpectedly waits for review
    with the error, and the others are read: nothing is lost.
    """
    counts = {}
    for _ in range(limit):
        with transaction.atomic():
            message = (InboundMessage.objects.select_for_update(skip_locked=True)
                       .filter(status=MailStatus.NEW).order_by("fetched_at", "pk").first())
            if message is None:
                break
            status = _process_or_review(message)
        counts[status] = counts.get(status, 0) + 1
    return counts


def _process_or_review(message):
    try:
        with transaction.atomic():
            return process(message)
    except Exception as exc:  # noqa: BLE001 - any failure leaves the message for an agent, never lost
        log.exception("Email received %s could not be processed; it waits for review", message.pk)
        reason = f"The portal failed while reading it ({type(exc).__name__}: {exc}); nothing was done with it."
        InboundMessage.objects.filter(pk=message.pk).update(status=MailStatus.REVIEW, reason=reason[:2000])
        return MailStatus.REVIEW


@transaction.atomic
def process(message):
    """Decide what a message not read yet becomes, and do it; return its status.

    Automatic mail is ignored; a reply joins its complaint's timeline; an authenticated email
    from a customer on record becomes a complaint; anything else waits for review with why.
    A message already read is left as it is.
    """
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != MailStatus.NEW:
        return message.status
    if message.size > settings.MAIL_IN_MAX_BYTES:
        return _review(message, f"Too big to read automatically ({_size(message.size)}; the limit is "
                                f"{_size(settings.MAIL_IN_MAX_BYTES)}).")
    reading = parse.read(original(message))
    if reading.automatic:
        return _settle(message, MailStatus.IGNORED, reason=reading.automatic)
    if reading.unreadable:
        return _review(message, f"Unreadable: {reading.unreadable}.")
    sent = parse.answered(reading)
    if sent is not None:
        return _thread_by_reference(message, reading, sent)
    if reading.tracking_number or reading.bad_tracking_number:
        return _thread_by_tracking_number(message, reading)
    return _new_complaint(message, reading)


def _thread_by_reference(message, reading, sent):
    if sent.complaint is None:
        return _review(message, "It answers an email about an account, not about a complaint.")
    complaint = sent.complaint
    if not reading.from_address or reading.from_address != complaint.customer.email:
        return _review(message, f"It answers an email about {complaint.tracking_number}, but from another "
                                "address than the customer's.")
    return _reply(message, reading, complaint, how="by its In-Reply-To or References")


def _thread_by_tracking_number(message, reading):
    if not reading.tracking_number:
        return _review(message, f"The tracking number in its subject ({reading.bad_tracking_number}) is not one "
                                "we gave: its check character is wrong.")
    complaint = Complaint.objects.filter(tracking_number=reading.tracking_number).select_related("customer").first()
    if complaint is None:
        return _review(message, f"No complaint has the tracking number in its subject ({reading.tracking_number}).")
    if not reading.from_address or reading.from_address != complaint.customer.email:
        return _review(message, f"Its subject names {complaint.tracking_number}, but it is from another address "
                                "than the customer's.")
    if not reading.authenticated:
        return _review(message, f"Sender not authenticated: its subject names {complaint.tracking_number}, but our "
                                "mail server did not vouch for the sender (no DMARC pass or aligned DKIM signature).")
    return _reply(message, reading, complaint, how=f"by the tracking number in its subject, {reading.authenticated}")


def _content_problem(reading):
    """Say why a message's content cannot go on a timeline as it is, or ""."""
    if reading.html_only:
        return ("HTML only: it has no plain text, and a timeline never shows HTML. Read it here, then attach it "
                "or make a complaint from it (its words are taken without the HTML).")
    if reading.refused:
        return "A file cannot be attached as the web form would refuse it: " + " ".join(reading.refused)
    if not reading.text and not reading.attachments:
        return "Nothing of its own to add: no text (after the quoted history) and no files."
    return ""


def _reply(message, reading, complaint, *, how):
    problem = _content_problem(reading)
    if problem:
        return _review(message, problem)
    complaint = complaint_services.survivor_of(complaint)
    try:
        event = complaint_services.add_customer_message(
            complaint=complaint, customer=complaint.customer, body=reading.text, attachments=reading.attachments,
            data=_by_email(message))
    except complaint_services.TransitionNotAllowed:
        return _review(message, f"A reply about {complaint.tracking_number}, which is "
                                f"{complaint.get_status_display().lower()}: reopen it, or make a new complaint.")
    return _settle(message, MailStatus.REPLY, reason=f"A reply, matched {how}.", complaint=complaint, event=event)


def _new_complaint(message, reading):
    if not reading.from_address:
        return _review(message, "Unknown sender: its From header names no single address.")
    customer = known_customer(reading.from_address)
    if customer is None:
        return _review(message, f"Unknown sender: no customer on record has the address {reading.from_address}.")
    if not reading.authenticated:
        return _review(message, f"Sender not authenticated: our mail server did not vouch for {reading.from_address} "
                                "(no DMARC pass or aligned DKIM signature), so it may not be the customer.")
    problem = _content_problem(reading) or ("" if reading.text else "No text to make a complaint from.")
    if problem:
        return _review(message, problem)
    complaint = complaint_services.file_complaint(
        customer=customer, product=Product.OTHER, category=Category.OTHER, channel=Channel.EMAIL,
        received_at=_received_at(message), description=_description(reading.subject, reading.text),
        desired_outcome=_desired_outcome(), attachments=reading.attachments,
    )
    return _settle(message, MailStatus.COMPLAINT, reason=f"A new complaint; {reading.authenticated}.",
                   complaint=complaint, event=complaint.events.get(kind=EventKind.FILED))


def _size(size):
    return size_in_words(size).replace("\xa0", " ")  # stored text, read in lists and pages alike


def _received_at(message):
    # The mail server's clock may run a little ahead of ours; a complaint is never received in the future.
    return min(message.arrived_at, timezone.now())


def _description(subject, text):
    return render_to_string("mailin/description.txt", {"subject": subject, "text": text}).strip()


def _desired_outcome():
    return render_to_string("mailin/desired_outcome.txt").strip()


def _settle(message, status, *, reason="", complaint=None, event=None, actor=None):
    """Record what became of a message (a review waits: it is not handled yet)."""
    message.status, message.reason, message.complaint, message.event = status, reason, complaint, event
    message.handled_at = None if status == MailStatus.REVIEW else timezone.now()
    message.handled_by = actor
    message.save(update_fields=["status", "reason", "complaint", "event", "handled_at", "handled_by"])
    return status


def _review(message, reason):
    return _settle(message, MailStatus.REVIEW, reason=reason)


# --- the agents' actions on mail to review -----------------------------------------------------------


def _lock_for_agent(message):
    """Return the message locked, or refuse one already dealt with (so a second submit does nothing)."""
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.status not in OPEN_TO_AGENTS:
        raise ValidationError(f"This email was already dealt with: {message.get_status_display().lower()}.")
    return message


def for_timeline(message):
    """Return (text, attachments) of a message, as an agent's action puts it on a timeline.

    An HTML-only message gives its words without the HTML; one too big to read or unreadable
    gives a sentence saying our team reads it, and no files. Files the web form would refuse
    are left out (the email's page lists them). Refused (ValidationError) once the original is
    no longer kept: nothing is left to add.
    """
    too_big = message.size > settings.MAIL_IN_MAX_BYTES
    try:
        reading = None if too_big else parse.read(original(message))
    except (FileNotFoundError, ValueError):  # the file is gone, or the field holds none
        raise ValidationError("The original of this email is no longer kept, so there is nothing to add to a "
                              "complaint: dismiss it, saying why.") from None
    if too_big or reading.unreadable:
        return render_to_string("mailin/not_read.txt", {"too_big": too_big}).strip(), []
    return reading.text or reading.html_text, reading.attachments


@transaction.atomic
def attach_to_complaint(*, message, complaint, actor):
    """Add an email waiting for review to a complaint's timeline as the customer's reply; return the event.

    Refused (ValidationError) for a closed complaint and for an email already dealt with.
    """
    message = _lock_for_agent(message)
    complaint = complaint_services.survivor_of(Complaint.objects.select_related("customer").get(pk=complaint.pk))
    if complaint.is_closed:
        raise ValidationError({"tracking_number": f"{complaint.tracking_number} is "
                                                  f"{complaint.get_status_display().lower()}: reopen it first, or "
                                                  "make a new complaint from this email."})
    text, attachments = for_timeline(message)
    event = complaint_services.add_customer_message(complaint=complaint, customer=complaint.customer, body=text,
                                                    attachments=attachments, data=_by_email(message))
    _settle(message, MailStatus.REPLY, reason=message.reason, complaint=complaint, event=event, actor=actor)
    return event


@transaction.atomic
def make_complaint(*, message, actor, customer=None, customer_type=CustomerType.DOMESTIC, full_name="",
                   business_workers=None):
    """Make a complaint from an email waiting for review, received when the email arrived; return it.

    For ``customer``, or else for a new customer record made from the sender's address (domestic
    unless said otherwise, with no password: the customer claims it by signing up with that
    address, as the email inviting them says). The customer gets the acknowledgement. Refused
    (ValidationError) for an email already dealt with.
    """
    message = _lock_for_agent(message)
    if customer is None:
        customer = _new_customer(message, customer_type=customer_type, full_name=full_name,
                                 business_workers=business_workers)
        invite = True
    elif customer.is_staff or customer.awaiting_confirmation:
        raise ValidationError({"customer": "Choose a customer on record (not staff, nor a sign-up waiting for "
                                           "its address to be confirmed)."})
    else:
        invite = False
    text, attachments = for_timeline(message)
    arrived = dateformat.format(clock.uk_time(message.arrived_at), "j F Y \\a\\t H:i")
    complaint = complaint_services.file_complaint(
        customer=customer, product=Product.OTHER, category=Category.OTHER, channel=Channel.EMAIL,
        received_at=_received_at(message), description=_description(message.subject, text),
        desired_outcome=_desired_outcome(), attachments=attachments, logged_by=actor,
        backdate_reason=f"Emailed to the complaints mailbox; it arrived on {arrived}.",
    )
    if invite:
        outbox.queue_email(
            kind=EmailKind.OTHER, to=customer.email, complaint=complaint, template="mailin/email/invitation",
            context={"customer": customer, "complaint": complaint,
                     "signup_url": outbox.absolute_url(reverse("accounts:signup"))},
            to_customer=True,
        )
    _settle(message, MailStatus.COMPLAINT, reason=message.reason, complaint=complaint,
            event=complaint.events.get(kind=EventKind.FILED), actor=actor)
    return complaint


def _new_customer(message, *, customer_type, full_name, business_workers):
    """Save a customer record for an email's sender: no password, to be claimed by signing up."""
    if not message.from_address:
        raise ValidationError("The email names no sender address to make a customer record from: choose a "
                              "customer on record.")
    if not full_name.strip():
        raise ValidationError({"full_name": "Give the customer's name."})
    if customer_type == CustomerType.BUSINESS and business_workers is None:
        raise ValidationError({"business_workers": "Give the number of workers: a business with 10 or fewer "
                                                   "has the right to go to the ombudsman."})
    taken = ValidationError(f"Someone with the address {message.from_address} is already on record: choose them.")
    if User.objects.filter(email=User.objects.normalize_email(message.from_address)).exists():
        raise taken
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=message.from_address, full_name=full_name.strip(), customer_type=customer_type,
                business_workers=business_workers if customer_type == CustomerType.BUSINESS else None,
            )
    except IntegrityError:  # saved a moment ago, by another agent's action
        raise taken from None


@transaction.atomic
def dismiss(*, message, actor, reason):
    """Mark an email waiting for review as not for a complaint, saying why; the original stays."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why this email is not for a complaint."})
    message = _lock_for_agent(message)
    earlier = f"\n\nIt waited because: {message.reason}" if message.reason else ""
    _settle(message, MailStatus.DISMISSED, reason=f"{reason.strip()}{earlier}", actor=actor)
