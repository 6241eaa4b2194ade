"""The outbox: emails are rows first, delivered by Celery, retried from the database.

The ombudsman's letters are delivered the same way, with the claim and retry helpers here.
"""

import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from complaints.models import EmailStatus, Event, EventKind, OutgoingEmail

log = logging.getLogger(__name__)

# How long a claimed email or letter is reserved for the worker that claimed it. A worker that dies
# mid-send leaves the row pending; it becomes due again when the lease ends.
CLAIM_LEASE = timedelta(minutes=5)


def render_email(template, context):
    """Render the subject / text / HTML triplet ``templates/<template>_{subject,body}.*``."""
    # With a mailbox the portal reads, an email may invite a reply by email.
    context = {"provider": settings.PROVIDER, "site_url": settings.SITE_URL,
               "mail_in_address": settings.MAIL_IN_ADDRESS, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}_body.txt", context)
    html = render_to_string(f"{template}_body.html", context)
    return subject, text, html


def absolute_url(path):
    """Return a link for an email: the portal's public address plus a path."""
    return f"{settings.SITE_URL}{path}"


def queue_email(*, kind, to, template, context, complaint=None, to_customer=False):
    """Save an email to send and have it delivered once the transaction commits.

    An email ``to_customer`` about a ``complaint`` asks for replies at the portal's mailbox
    (MAIL_IN_ADDRESS as it is now), so the customer's answer comes back to the complaint;
    staff's emails, and emails about no complaint, ask for none.
    """
    subject, text, html = render_email(template, context)
    reply_to = settings.MAIL_IN_ADDRESS if to_customer and complaint is not None else ""
    email = OutgoingEmail.objects.create(
        kind=kind, to=to, subject=subject, text_body=text, html_body=html, complaint=complaint, reply_to=reply_to
    )
    transaction.on_commit(lambda: enqueue("complaints.tasks.deliver_email", email.pk))
    return email


def enqueue(task_name, *args):
    """Send a task to the broker; if the broker is down, log it and rely on the sweep."""
    try:
        current_app.tasks[task_name].apply_async(args=args)
    except Exception:  # noqa: BLE001 - any broker failure must not fail the request
        log.warning("Broker unavailable; %s%r left for the periodic retry", task_name, args, exc_info=True)


def _due(queryset, now):
    # Emails and letters both call their waiting state "pending".
    return queryset.filter(status="pending", next_attempt_at__lte=now)


def claim(queryset, pk, now=None):
    """Claim a due pending email or letter for this worker; return it, or None if another has it.

    A compare-and-swap UPDATE: only one of two concurrent workers moves the lease forward.
    """
    now = now or timezone.now()
    claimed = _due(queryset, now).filter(pk=pk).update(next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1)
    return queryset.get(pk=pk) if claimed else None


def due_ids(queryset, now=None, limit=500):
    """Return ids of pending emails or letters due for a (re)try, oldest first."""
    due = _due(queryset, now or timezone.now()).order_by("next_attempt_at")
    return list(due.values_list("pk", flat=True)[:limit])


def failed_attempt(row, exc):
    """Return the error to record for a claimed row's failed try, and when to retry.

    The retry time backs off exponentially; it is None once the row has had its last attempt.
    """
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        return error, None
    return error, timezone.now() + timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (row.attempts - 1))


def deliver(email_id, now=None):
    """Send one pending email if it is due; record success or schedule a retry.

    Return the email's status afterwards, or None if it was not ours to send.
    """
    email = claim(OutgoingEmail.objects, email_id, now)
    if email is None:
        return None
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text_body, to=[email.to],
        from_email=settings.DEFAULT_FROM_EMAIL, reply_to=[email.reply_to] if email.reply_to else None,
        headers={"Message-ID": email.message_id},
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        return _record_failure(email, exc)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return EmailStatus.SENT


def _record_failure(email, exc):
    error, retry_at = failed_attempt(email, exc)
    if retry_at is None:
        status, retry_at = EmailStatus.FAILED, email.next_attempt_at
        log.error("Email %s failed for good after %s attempts: %s", email.pk, email.attempts, error)
        if email.complaint_id:
            Event.objects.create(
                complaint_id=email.complaint_id, kind=EventKind.EMAIL_FAILED, visible_to_customer=False,
                summary=f"{email.get_kind_display()} email to {email.to} failed: {error[:200]}",
                data={"email_id": email.pk},
            )
    else:
        status = EmailStatus.PENDING
        log.warning("Email %s failed (attempt %s), retrying: %s", email.pk, email.attempts, error)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=status, next_attempt_at=retry_at, last_error=error
    )
    return status
