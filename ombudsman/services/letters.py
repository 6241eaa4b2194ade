"""ADR and deadlock letters, deadline warnings to staff, and letters posted from the print queue.

Each writes its timeline event in the same transaction as its change; anything that must
reach someone is a row first (a Letter, or an email in the outbox), delivered on commit.
"""


from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Prefetch, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.roles import COMPLAINT_MANAGERS
from complaints import outbox
from complaints.models import CLOSED_STATUSES, Complaint, EmailKind, Event, EventKind, Status
from complaints.services import change_status, mark_customer_answered
from ombudsman import letters
from ombudsman.models import Letter, LetterKind, LetterStatus

DELIVER_LETTER_TASK = "ombudsman.tasks.deliver_letter"
DELIVER_LETTERS_TASK = "ombudsman.tasks.deliver_letters"


def _save_letter(letter):
    letter.save()
    return _letter_written(letter)


def _letter_written(letter):
    """Record a saved letter: the customer is told, its event, and its delivery once committed."""
    # The customer has been told (the first letter's moment stays), and may refer until
    # 12 months from this, the latest, letter: the clock reads both from the complaint.
    complaint = letter.complaint
    complaint.customer_told_at = complaint.customer_told_at or letter.created_at
    complaint.refer_by = letter.refer_by
    Complaint.objects.filter(pk=complaint.pk).update(
        customer_told_at=Coalesce("customer_told_at", Value(letter.created_at)), refer_by=letter.refer_by
    )
    _written_event(letter).save()
    transaction.on_commit(lambda: outbox.enqueue(DELIVER_LETTER_TASK, letter.pk))
    return letter


def _written_event(letter):
    return Event(
        complaint_id=letter.complaint_id, kind=EventKind.LETTER,
        summary=f"{letter.get_kind_display()} written, to go by {letter.get_delivery_display().lower()}",
        data={"letter_id": letter.pk, "kind": letter.kind, "refer_by": letter.refer_by.isoformat(), "step": "written"},
    )


@transaction.atomic
def declare_deadlock(*, complaint, actor, reason):
    """Put a complaint into deadlock and write the deadlock letter in the same transaction.

    Raises LetterContentError (and changes nothing) if the letter would lack a required
    element. A customer without ADR rights gets no letter: it would offer a scheme they
    cannot use. A complaint in deadlock again (after a reopen) keeps its first deadlock
    letter: a complaint has one letter of each kind, and the customer already holds it.
    """
    if not reason.strip():
        raise ValidationError("Give the reason for the deadlock: it goes in the customer's letter.")
    # Locked first: two agents declaring deadlock at once must not both write a letter.
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    # The letter is written (and checked) first, so that the one deadlock event records the
    # move, the reason and the letter together; a refusal raises before anything changes.
    letter = None
    if _deadlock_letter_owed(complaint):
        letter = letters.write(complaint=complaint, kind=LetterKind.DEADLOCK, reason=reason)
        letter.save()
    complaint = change_status(complaint=complaint, to=Status.DEADLOCK, actor=actor, reason=reason,
                              data={"letter_id": letter.pk if letter else None})
    mark_customer_answered(complaint=complaint, at=timezone.now())
    if letter is not None:
        letter.complaint = complaint
        _letter_written(letter)
        # The deadlock letter tells the customer everything the waiting-period letter would.
        Complaint.objects.filter(pk=complaint.pk).update(adr_letter_pending=False)
    return letter


def _deadlock_letter_owed(complaint):
    return complaint.adr_rights and not Letter.objects.filter(complaint=complaint, kind=LetterKind.DEADLOCK).exists()


def preview_deadlock_letter(*, complaint, reason):
    """Return the deadlock letter declaring deadlock now would write, unsaved, or None if none.

    Raises what ``declare_deadlock`` would: a ValidationError for no reason, a
    LetterContentError for a letter lacking a required element.
    """
    if not reason.strip():
        raise ValidationError("Give the reason for the deadlock: it goes in the customer's letter.")
    if not _deadlock_letter_owed(complaint):
        return None
    return letters.write(complaint=complaint, kind=LetterKind.DEADLOCK, reason=reason)


def create_adr_letter(*, complaint, now=None, scheme=None):
    """Write the end-of-waiting-period letter if it is owed now; return it, or None.

    Claims the complaint with a compare-and-swap on ``adr_letter_pending``, so of several
    concurrent callers exactly one writes the letter (the unique constraint on complaint and
    kind backs this up). A complaint that is closed or still inside its waiting period stays
    pending; one whose customer already had a deadlock letter, or has no ADR rights, is
    settled without a letter. Raises LetterContentError, leaving it pending, if the letter
    would lack a required element.
    """
    now = now or timezone.now()
    # Render (and check) before writing anything: a refused letter then leaves nothing to undo.
    letter = letters.write(complaint=complaint, kind=LetterKind.ADR, now=now, scheme=scheme)
    with transaction.atomic(savepoint=False):
        claimed = Complaint.objects.filter(
            pk=complaint.pk, adr_letter_pending=True, adr_opens_at__lte=now,
        ).exclude(status__in=CLOSED_STATUSES).update(adr_letter_pending=False)
        if not claimed:
            return None
        complaint.adr_letter_pending = False
        if not complaint.adr_rights or (
            complaint.deadlock_at and complaint.letters.filter(kind=LetterKind.DEADLOCK).exists()
        ):
            return None
        return _save_letter(letter)


# Whether a claimed complaint is owed its ADR letter, as create_adr_letter decides: the
# customer has ADR rights and had no deadlock letter. SQL, for the claim to settle a batch.
LETTER_OWED = ("adr_rights AND (deadlock_at IS NULL OR NOT EXISTS (SELECT 1 FROM ombudsman_letter "
               "WHERE ombudsman_letter.complaint_id = {table}.id AND ombudsman_letter.kind = 'deadlock'))")


def claim_adr_letters(*, due, limit, refer_by, written_at):
    """Claim up to ``limit`` complaints of ``due`` whose ADR letter is owed; return them, with their customers.

    The complaints and customers carry only what their letters read (``letters.COMPLAINT_FIELDS``
    and ``CUSTOMER_FIELDS``): the rest of their fields are deferred.

    One ``UPDATE ... RETURNING`` settles their ``adr_letter_pending`` and, on those owed a
    letter (``letter_owed`` on each), records what ``_letter_written`` records: the customer
    told at ``written_at`` (the first letter's moment stays), and may refer until
    ``refer_by``. Its rows are chosen by a subquery that locks them with ``SKIP LOCKED`` (on
    PostgreSQL), so concurrent sweeps claim different rows. ``create_claimed_adr_letters``
    then writes the letters, in the same transaction.
    """
    locked = due.select_for_update(skip_locked=True, of=("self",)).values("pk")[:limit]
    subquery, params = locked.query.sql_with_params()
    table = connection.ops.quote_name(Complaint._meta.db_table)
    owed = LETTER_OWED.format(table=table)
    returned = ", ".join(connection.ops.quote_name(column) for column in letters.COMPLAINT_FIELDS)
    return list(Complaint.objects.raw(
        f"UPDATE {table} SET adr_letter_pending = %s, "
        f"customer_told_at = CASE WHEN {owed} THEN COALESCE(customer_told_at, %s) ELSE customer_told_at END, "
        f"refer_by = CASE WHEN {owed} THEN %s ELSE refer_by END "
        f"WHERE id IN ({subquery}) RETURNING {returned}, {owed} AS letter_owed",
        [False, connection.ops.adapt_datetimefield_value(written_at), connection.ops.adapt_datefield_value(refer_by),
         *params],
    ).prefetch_related(Prefetch("customer", get_user_model().objects.only(*letters.CUSTOMER_FIELDS))))


def create_claimed_adr_letters(*, complaints, press, written_at):
    """Write, in bulk, the ADR letters owed on complaints claimed as of ``written_at``; return them.

    Each letter is checked: a refused one raises LetterContentError, and the caller undoes
    the whole batch. The letters are delivered by one task once the transaction commits.
    """
    written = press.write_many([complaint for complaint in complaints if complaint.letter_owed])
    if not written:
        return []
    for letter in written:
        letter.created_at = written_at
    Letter.objects.create_unsent(written)
    Event.objects.bulk_create(_written_event(letter) for letter in written)
    ids = [letter.pk for letter in written]
    transaction.on_commit(lambda: outbox.enqueue(DELIVER_LETTERS_TASK, ids))
    return written


def staff_to_warn(complaint):
    """Return the assigned agent and the managers who can be emailed, once each."""
    User = get_user_model()
    people = list(User.objects.filter(
        is_active=True, is_staff=True, email__isnull=False, groups__name=COMPLAINT_MANAGERS,
    ).distinct().order_by("pk"))
    agent = complaint.assigned_to
    if agent and agent.is_active and agent.email and agent not in people:
        people.insert(0, agent)
    return people


def email_staff(*, complaint, kind, template, context):
    for person in staff_to_warn(complaint):
        outbox.queue_email(kind=kind, to=person.email, complaint=complaint, template=template,
                           context={**context, "person": person})


@transaction.atomic
def warn_deadline(*, complaint, now=None):
    """Warn the assigned agent and the managers, once, that ADR opens soon on a complaint."""
    now = now or timezone.now()
    claimed = Complaint.objects.filter(pk=complaint.pk, deadline_warning_sent_at__isnull=True).update(
        deadline_warning_sent_at=now
    )
    if not claimed:
        return False
    opens_on = complaint.adr_deadline_date
    email_staff(
        complaint=complaint, kind=EmailKind.DEADLINE_WARNING, template="ombudsman/email/deadline_warning",
        context={"complaint": complaint, "opens_on": opens_on, "days_left": complaint.days_left(now),
                 "admin_url": outbox.absolute_url(reverse("admin:complaints_complaint_change", args=[complaint.pk]))},
    )
    Event.objects.create(
        complaint=complaint, kind=EventKind.DEADLINE_WARNING, visible_to_customer=False,
        summary=f"ADR opens on {letters.uk_date(opens_on)}: agent and managers warned",
        data={"adr_opens_at": complaint.adr_opens_at.isoformat()},
    )
    return True


@transaction.atomic
def mark_letter_posted(*, letter, actor):
    """Record that a letter in the print queue was printed and posted."""
    now = timezone.now()
    posted = Letter.objects.filter(pk=letter.pk, status=LetterStatus.PRINT_QUEUED).update(
        status=LetterStatus.POSTED, sent_at=now
    )
    if posted:
        Event.objects.create(
            complaint=letter.complaint, kind=EventKind.LETTER, actor=actor,
            summary=f"{letter.get_kind_display()} posted", data={"letter_id": letter.pk, "step": "posted"},
        )
    return bool(posted)
