"""The clock sweep: Celery beat runs it every few minutes, ``sweep_clocks`` on demand.

Each step reads only what is due through a partial index, claims rows atomically, and is
safe to run in several processes at once or to rerun after a crash: a letter is written in
the same transaction that claims its complaint, and delivery is retried from the database.

No row can stop the clock. Each complaint, referral, email and letter is handled on its
own (in a savepoint where the step writes); an unexpected error is logged, kept on the
run's record and as a ``SweepFailure`` that skips the row for a while (backing off), and
every other row and every later step goes on. Letters and compliance come first, and
retries of deliveries last, within a time budget, so a hanging mail server never holds
up the letters.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clock import uk_today
from complaints import outbox
from complaints.models import CLOSED_STATUSES, Complaint, OutgoingEmail, Status
from ombudsman import delivery, letters, services
from ombudsman.models import Letter, LetterKind, Referral, SweepFailure, SweepRun, SweepStep

log = logging.getLogger(__name__)

# Sweep records older than this are pruned: the heartbeat needs only the latest.
KEEP_RUNS = timedelta(days=30)
# A failing row waits one sweep interval, then two, four... but never longer than this.
MAX_RETRY_DELAY = timedelta(hours=4)
# A run's record keeps this many errors; the rest are counted (the failures list has them all).
ERRORS_KEPT = 50


class Run:
    """What one sweep knows as it goes: its moment, its errors, the rows that failed in it."""

    def __init__(self, now):
        self.now = now
        self.errors = []
        self.failed = {step: set() for step in SweepStep}
        # Rows that were failing before this run: a success must clear their record.
        self.failing = {step: set() for step in SweepStep}
        for step, object_id in SweepFailure.objects.values_list("step", "object_id"):
            self.failing[step].add(object_id)
        self.deliver_until = None

    def skip(self, queryset, step):
        """Leave out rows that failed in this run, or are backing off from earlier failures."""
        backing_off = SweepFailure.objects.filter(step=step, retry_at__gt=self.now).values("object_id")
        return queryset.exclude(pk__in=backing_off).exclude(pk__in=self.failed[step])

    def attempt(self, step, row, handle, *, complaint_id=None, atomic=True):
        """Handle one row on its own (in a savepoint if ``atomic``); on an error, record it and return None."""
        try:
            if atomic:
                with transaction.atomic():
                    result = handle(row)
            else:
                result = handle(row)
        except Exception as exc:  # noqa: BLE001 - one row must never stop the others
            self.fail(step, row.pk, exc, complaint_id=complaint_id)
            return None
        self.succeeded(step, [row.pk])
        return result

    def succeeded(self, step, object_ids):
        """Forget the failures of rows that have now been handled."""
        recovered = self.failing[step].intersection(object_ids)
        if recovered:
            SweepFailure.objects.filter(step=step, object_id__in=recovered).delete()
            self.failing[step] -= recovered

    def fail(self, step, object_id, exc, *, complaint_id=None):
        """Record that a row failed: log it, keep it on the run, and skip it for a while.

        A refused letter (LetterContentError) needs a person to fix the scheme or the
        template, not time: it is tried again at the next sweep, without backing off.
        """
        refused = isinstance(exc, letters.LetterContentError)
        label = f"{SweepStep(step).label} {object_id}"
        error = str(exc) if refused else f"{type(exc).__name__}: {exc}"
        if refused:
            log.warning("Clock sweep: %s refused: %s", label, error)
        else:
            log.error("Clock sweep: %s failed", label, exc_info=exc)
        self.failed[step].add(object_id)
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(error if refused else f"{label}: {error}")
        with transaction.atomic():
            failure, _ = SweepFailure.objects.select_for_update().get_or_create(
                step=step, object_id=object_id,
                defaults={"attempts": 0, "first_failed_at": self.now, "last_failed_at": self.now,
                          "retry_at": self.now},
            )
            failure.attempts += 1
            delay = min(timedelta(minutes=settings.CLOCK_SWEEP_MINUTES) * 2 ** (failure.attempts - 1),
                        MAX_RETRY_DELAY)
            failure.retry_at = self.now if refused else self.now + delay
            failure.last_failed_at, failure.error, failure.complaint_id = self.now, error[:4000], complaint_id
            failure.save()
        self.failing[step].add(object_id)

    def start_deliveries(self):
        """Start the time budget for retrying deliveries."""
        self.deliver_until = time.monotonic() + settings.CLOCK_SWEEP_DELIVERY_SECONDS

    def delivery_time_left(self):
        return time.monotonic() < self.deliver_until

    @property
    def failure_count(self):
        return sum(len(rows) for rows in self.failed.values())


def run(now=None):
    """Run every step of the sweep as of ``now`` and record the run; return the record."""
    now = now or timezone.now()
    record = SweepRun.objects.create(swept_as_of=now)
    sweep = Run(now)
    counts = {"adr_letters": write_adr_letters(sweep)}
    counts["compliance_reminders"], counts["compliance_overdue"] = watch_compliance(sweep)
    counts["warnings"] = warn_deadlines(sweep)
    sweep.start_deliveries()
    # Letters before emails: if the mail server is slow, the budget goes to what the rules require.
    counts["letters_retried"] = retry_letters(sweep)
    counts["emails_retried"] = retry_emails(sweep)
    counts["failures"] = sweep.failure_count
    if any(sweep.failing.values()):
        forget_settled_failures(now)
    if sweep.failure_count > len(sweep.errors):
        sweep.errors.append(f"... and {sweep.failure_count - len(sweep.errors)} more: see Sweep failures.")
    record.counts, record.errors, record.finished_at = counts, sweep.errors, timezone.now()
    record.save(update_fields=["counts", "errors", "finished_at"])
    SweepRun.objects.filter(started_at__lt=record.started_at - KEEP_RUNS).delete()
    log.info("Clock sweep as of %s: %s%s", now.isoformat(), counts,
             f"; errors: {sweep.errors}" if sweep.errors else "")
    return record


# --- what is due ---------------------------------------------------------------------------


def adr_letter_due(now):
    """Open complaints past their waiting period whose ADR letter is still owed."""
    return (
        Complaint.objects.filter(adr_letter_pending=True, adr_opens_at__lte=now)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("adr_opens_at")
    )


def warning_due(now):
    """Open complaints whose ADR deadline is within the warning time and not yet warned."""
    horizon = now + timedelta(days=settings.ADR_WARNING_DAYS)
    return (
        Complaint.objects.filter(deadline_warning_sent_at__isnull=True, adr_opens_at__lte=horizon)
        .exclude(status__in=CLOSED_STATUSES)
        .exclude(status=Status.DEADLOCK)
        .order_by("adr_opens_at")
    )


def compliance_reminder_due(now):
    """Referrals whose compliance deadline is near, not yet complied with or reminded of."""
    return Referral.objects.filter(
        complied_on__isnull=True, compliance_due_on__isnull=False, compliance_reminder_sent_at__isnull=True,
        compliance_due_on__lte=uk_today(now) + timedelta(days=settings.COMPLIANCE_REMINDER_DAYS),
    ).order_by("compliance_due_on", "pk")


def compliance_overdue_due(now):
    """Referrals past their compliance deadline, not complied with and not yet flagged."""
    return Referral.objects.filter(
        complied_on__isnull=True, compliance_due_on__isnull=False, compliance_overdue_at__isnull=True,
        compliance_due_on__lt=uk_today(now),
    ).order_by("compliance_due_on", "pk")


def emails_due(now):
    return OutgoingEmail.objects.filter(status="pending", next_attempt_at__lte=now)


def letters_due(now):
    return Letter.objects.filter(status="pending", next_attempt_at__lte=now)


# What each step's failures are about, to forget those that are no longer due: a complaint
# resolved meanwhile, a letter an agent posted.
DUE = {
    SweepStep.ADR_LETTER: adr_letter_due,
    SweepStep.DEADLINE_WARNING: warning_due,
    SweepStep.COMPLIANCE_REMINDER: compliance_reminder_due,
    SweepStep.COMPLIANCE_OVERDUE: compliance_overdue_due,
    SweepStep.EMAIL: lambda now: OutgoingEmail.objects.filter(status="pending"),
    SweepStep.LETTER: lambda now: Letter.objects.filter(status="pending"),
}


def forget_settled_failures(now):
    """Delete failures whose row the step no longer has to handle."""
    for step, due in DUE.items():
        SweepFailure.objects.filter(step=step).exclude(object_id__in=due(now).order_by().values("pk")).delete()


# --- the steps -----------------------------------------------------------------------------


def write_adr_letters(sweep):
    """Claim due complaints in batches and write their ADR letters; return how many.

    Each batch is claimed and written as a set (``services.claim_adr_letters``), so
    concurrent sweeps share the work instead of queueing behind each other. A batch that
    fails is undone and the rows it claimed are written one by one instead, each in a
    savepoint with a compare-and-swap of its own, so one failing complaint undoes nothing of
    the others'. Letters are delivered by tasks enqueued when each batch commits.
    """
    try:
        press = letters.Press(kind=LetterKind.ADR, now=sweep.now)
    except letters.LetterContentError as exc:
        sweep.errors.append(str(exc))
        return 0
    written = 0
    while True:
        with transaction.atomic():
            due = sweep.skip(adr_letter_due(sweep.now), SweepStep.ADR_LETTER)
            claimed = []
            try:
                with transaction.atomic():
                    written_at = timezone.now()
                    claimed = services.claim_adr_letters(due=due, limit=settings.CLOCK_SWEEP_BATCH,
                                                         refer_by=press.refer_by, written_at=written_at)
                    batch = services.create_claimed_adr_letters(complaints=claimed, press=press,
                                                                written_at=written_at)
            except Exception as exc:  # noqa: BLE001 - the rows one by one find and record the bad one
                log.info("Clock sweep: a batch of ADR letters failed (%s: %s); writing them one by one",
                         type(exc).__name__, exc)
                # The rows the batch claimed, or the next ones due if claiming them failed.
                rows = due.filter(pk__in=[complaint.pk for complaint in claimed]) if claimed else due
                tried, count = _write_adr_letters_one_by_one(sweep, rows, press)
                claimed, written = claimed or tried, written + count
            else:
                sweep.succeeded(SweepStep.ADR_LETTER, [complaint.pk for complaint in claimed])
                written += len(batch)
            if not claimed:
                return written


def _write_adr_letters_one_by_one(sweep, due, press):
    """Write the letters of a batch of due complaints, each on its own; return (the batch, letters written)."""
    batch = list(due.select_for_update(skip_locked=True, of=("self",)).select_related("customer")
                 [: settings.CLOCK_SWEEP_BATCH])

    def write(complaint):
        return services.create_adr_letter(complaint=complaint, now=sweep.now, scheme=press.scheme)

    written = sum(sweep.attempt(SweepStep.ADR_LETTER, complaint, write, complaint_id=complaint.pk) is not None
                  for complaint in batch)
    return batch, written


def watch_compliance(sweep):
    """Remind before, and flag after, compliance deadlines; return (reminded, flagged)."""
    counts = []
    for step, due, alert in (
        (SweepStep.COMPLIANCE_REMINDER, compliance_reminder_due, services.remind_compliance),
        (SweepStep.COMPLIANCE_OVERDUE, compliance_overdue_due, services.flag_compliance_overdue),
    ):
        done = 0
        for referral in sweep.skip(due(sweep.now), step).select_related("complaint", "scheme"):
            done += bool(sweep.attempt(step, referral, lambda row, alert=alert: alert(referral=row, now=sweep.now),
                                       complaint_id=referral.complaint_id))
        counts.append(done)
    return tuple(counts)


def warn_deadlines(sweep):
    """Warn, once per complaint, the assigned agent and the managers; return how many."""
    warned = 0
    while True:
        batch = list(sweep.skip(warning_due(sweep.now), SweepStep.DEADLINE_WARNING)
                     .select_related("assigned_to")[: settings.CLOCK_SWEEP_BATCH])
        if not batch:
            return warned
        for complaint in batch:
            warned += bool(sweep.attempt(
                SweepStep.DEADLINE_WARNING, complaint,
                lambda row: services.warn_deadline(complaint=row, now=sweep.now), complaint_id=complaint.pk,
            ))


def retry_emails(sweep):
    """Deliver pending outbox emails that are due, until the time budget ends; return how many were tried."""
    return _retry(sweep, SweepStep.EMAIL, emails_due, outbox.deliver)


def retry_letters(sweep):
    """Deliver pending letters that are due (their task was lost, or an email failed)."""
    return _retry(sweep, SweepStep.LETTER, letters_due, delivery.deliver)


def _retry(sweep, step, due, deliver):
    # Delivery claims each row with its own compare-and-swap and records a failed send on
    # the row itself (with its own backoff), so no transaction is held open while the mail
    # server is talked to. Rows due at the sweep's moment are taken (what this sweep wrote is
    # left to its tasks); their leases start from the present: writing letters may have
    # taken minutes, and a lease already over would let another sweep or a task send the
    # same row at once.
    rows = list(sweep.skip(due(sweep.now), step).order_by("next_attempt_at")
                .only("pk", "next_attempt_at")[: settings.CLOCK_SWEEP_BATCH])
    tried = 0
    for row in rows:
        if not sweep.delivery_time_left():
            log.warning("Clock sweep: delivery time budget spent; %s left for the next sweep",
                        len(rows) - tried)
            break
        sweep.attempt(step, row, lambda row: deliver(row.pk, max(sweep.now, timezone.now())), atomic=False)
        tried += 1
    return tried

