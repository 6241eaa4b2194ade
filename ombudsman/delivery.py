"""Delivering letters: email with the PDF attached, or the print queue for post.

Claims, retries and backoff are the outbox's (``complaints.outbox``): a worker claims a
letter with a compare-and-swap that moves its lease forward, so two workers never send it
at once, and a worker that dies mid-send leaves it pending for the sweep to retry. The
Message-ID is the letter's own, so a repeat is the same message. A letter is always to the
customer, so it asks for replies at the portal's mailbox (MAIL_IN_ADDRESS). An email that
fails for good falls back to post.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from complaints import outbox, printing
from complaints.models import Event, EventKind
from ombudsman.models import Delivery, Letter, LetterStatus

log = logging.getLogger(__name__)


def deliver(letter_id, now=None):
    """Send one pending letter if it is due; return its status afterwards, or None if not ours."""
    letter = outbox.claim(Letter.objects.select_related("complaint__customer"), letter_id, now)
    if letter is None:
        return None
    pdf = printing.ensure_pdf(letter)
    if letter.delivery == Delivery.POST:
        return _queue_for_print(letter, reason="")
    context = {"letter": letter, "complaint": letter.complaint, "customer": letter.complaint.customer,
               "provider": settings.PROVIDER}
    message = EmailMessage(
        subject=" ".join(render_to_string("ombudsman/email/letter_subject.txt", context).split()),
        body=render_to_string("ombudsman/email/letter_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[letter.to_email],
        reply_to=[letter.reply_to] if letter.reply_to else None,
        headers={"Message-ID": letter.message_id},
    )
    message.attach(letter.filename, pdf, "application/pdf")
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        return _record_failure(letter, exc)
    with transaction.atomic():
        sent = Letter.objects.filter(pk=letter.pk, status=LetterStatus.PENDING).update(
            status=LetterStatus.SENT, sent_at=timezone.now(), last_error=""
        )
        if sent:
            Event.objects.create(
                complaint=letter.complaint, kind=EventKind.LETTER,
                summary=f"{letter.get_kind_display()} emailed to {letter.to_email}",
                data={"letter_id": letter.pk, "message_id": letter.message_id, "step": "emailed"},
            )
    return LetterStatus.SENT


@transaction.atomic
def _queue_for_print(letter, *, reason):
    queued = Letter.objects.filter(pk=letter.pk, status=LetterStatus.PENDING).update(
        status=LetterStatus.PRINT_QUEUED, delivery=Delivery.POST
    )
    if queued:
        Event.objects.create(
            complaint=letter.complaint, kind=EventKind.LETTER,
            summary=f"{letter.get_kind_display()} queued for printing and posting{reason}",
            data={"letter_id": letter.pk, "step": "print_queued"},
        )
    return LetterStatus.PRINT_QUEUED


def _record_failure(letter, exc):
    error, retry_at = outbox.failed_attempt(letter, exc)
    Letter.objects.filter(pk=letter.pk).update(last_error=error)
    if retry_at is None:
        log.error("Letter %s could not be emailed after %s attempts; posting it: %s",
                  letter.pk, letter.attempts, error)
        return _queue_for_print(letter, reason=" (the email failed)")
    Letter.objects.filter(pk=letter.pk, status=LetterStatus.PENDING).update(next_attempt_at=retry_at)
    log.warning("Letter %s email failed (attempt %s), retrying: %s", letter.pk, letter.attempts, error)
    return LetterStatus.PENDING
