"""The clock sweep: Celery beat runs it every few minutes, ``sweep_clocks`` on demand.

Each step reads only what is due through a partial index, claims rows atomically, and is
safe to run in several processes at once or to rerun after a crash: a letter is written in
the same transaction that claims its complaint, and delivery is retried from the database.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from complaints import outbox
from complaints.models import CLOSED_STATUSES, Complaint, OutgoingEmail, Status
from complaints.models.complaint import uk_today
from ombudsman import delivery, letters, services
from ombudsman.models import Letter, Referral, SweepRun

log = logging.getLogger(__name__)

# Sweep records older than this are pruned: the heartbeat needs only the latest.
KEEP_RUNS = timedelta(days=30)


def run(now=None):
    """Run every step of the sweep as of ``now`` and record the run; return the record."""
    now = now or timezone.now()
    record = SweepRun.objects.create(swept_as_of=now)
    counts = {
        "emails_retried": retry_emails(now),
        "letters_retried": retry_letters(now),
        "warnings": warn_deadlines(now),
    }
    counts["adr_letters"], errors = write_adr_letters(now)
    counts["compliance_reminders"], counts["compliance_overdue"] = watch_compliance(now)
    record.counts, record.errors, record.finished_at = counts, errors, timezone.now()
    record.save(update_fields=["counts", "errors", "finished_at"])
    SweepRun.objects.filter(started_at__lt=record.started_at - KEEP_RUNS).delete()
    log.info("Clock sweep as of %s: %s%s", now.isoformat(), counts, f"; errors: {errors}" if errors else "")
    return record


def retry_emails(now):
    """Deliver pending outbox emails that are due; return how many were tried."""
    ids = outbox.due_ids(OutgoingEmail.objects, now, limit=settings.CLOCK_SWEEP_BATCH)
    for email_id in ids:
        outbox.deliver(email_id, now)
    return len(ids)


def retry_letters(now):
    """Deliver pending letters that are due (their task was lost, or an email failed)."""
    ids = outbox.due_ids(Letter.objects, now, limit=settings.CLOCK_SWEEP_BATCH)
    for letter_id in ids:
        delivery.deliver(letter_id, now)
    return len(ids)


def warning_due(now):
    """Open complaints whose ADR deadline is within the warning time and not yet warned."""
    horizon = now + timedelta(days=settings.ADR_WARNING_DAYS)
    return (
        Complaint.objects.filter(deadline_warning_sent_at__isnull=True, adr_opens_at__lte=horizon)
        .exclude(status__in=CLOSED_STATUSES)
        .exclude(status=Status.DEADLOCK)
        .order_by("adr_opens_at")
    )


def warn_deadlines(now):
    """Warn, once per complaint, the assigned agent and the managers; return how many."""
    warned = 0
    while True:
        batch = list(warning_due(now).select_related("assigned_to")[: settings.CLOCK_SWEEP_BATCH])
        if not batch:
            return warned
        for complaint in batch:
            warned += services.warn_deadline(complaint=complaint, now=now)


def adr_letter_due(now):
    """Open complaints past their waiting period whose ADR letter is still owed."""
    return (
        Complaint.objects.filter(adr_letter_pending=True, adr_opens_at__lte=now)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("adr_opens_at")
    )


def write_adr_letters(now):
    """Claim due complaints in batches and write their ADR letters; return (count, errors).

    A batch is locked with ``SELECT ... FOR UPDATE SKIP LOCKED``, so concurrent sweeps share
    the work instead of queueing behind each other; each letter is then claimed by a
    compare-and-swap and written in a savepoint, so one refused letter does not undo the
    others. Letters are delivered by tasks enqueued when each batch commits.
    """
    try:
        scheme = letters.provider_scheme()
    except letters.LetterContentError as exc:
        return 0, [str(exc)]
    written, errors, refused = 0, [], set()
    while True:
        with transaction.atomic():
            batch = list(
                adr_letter_due(now).exclude(pk__in=refused)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("customer")[: settings.CLOCK_SWEEP_BATCH]
            )
            if not batch:
                return written, errors
            for complaint in batch:
                try:
                    letter = services.create_adr_letter(complaint=complaint, now=now, scheme=scheme)
                except letters.LetterContentError as exc:
                    refused.add(complaint.pk)
                    errors.append(str(exc))
                    continue
                written += letter is not None


def watch_compliance(now):
    """Remind before, and flag after, compliance deadlines; return (reminded, flagged)."""
    today = uk_today(now)
    open_referrals = Referral.objects.filter(complied_on__isnull=True, compliance_due_on__isnull=False)
    remind = open_referrals.filter(
        compliance_reminder_sent_at__isnull=True,
        compliance_due_on__lte=today + timedelta(days=settings.COMPLIANCE_REMINDER_DAYS),
    ).select_related("complaint", "scheme")
    overdue = open_referrals.filter(compliance_overdue_at__isnull=True, compliance_due_on__lt=today).select_related(
        "complaint", "scheme"
    )
    reminded = sum(services.remind_compliance(referral=referral, now=now) for referral in remind)
    flagged = sum(services.flag_compliance_overdue(referral=referral, now=now) for referral in overdue)
    return reminded, flagged
