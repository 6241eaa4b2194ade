"""Personal data workflows: anonymise, close an account, answer a subject access request.

Anonymisation is the one sanctioned change to frozen records (timeline events, sent
letters): it goes through ``EventQuerySet.erase_personal_data`` and queryset updates, never
through the models' own ``save``, and records itself in the same transaction.
"""

import hashlib
import tempfile

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone

import clock
from complaints import access, kept_timelines, outbox, printing
from complaints.models import AccessKind, Complaint, EmailKind, Event, EventKind, OutgoingEmail
from complaints.services import withdraw_complaint
from mailin.models import InboundMessage
from ombudsman.letters import uk_date
from ombudsman.models import Referral
from privacy import export, rules
from privacy.models import (
    AccountClosure,
    CustomerErasure,
    Erasure,
    FileToDelete,
    SarLogEntry,
    SarStatus,
    SubjectAccessRequest,
)

ERASED_EMAIL = {"to": "", "subject": "", "text_body": "", "html_body": "", "last_error": ""}


class NotErasable(Exception):
    """Raised when asked to anonymise a record the rules say must be kept as it is."""


# --- files ---------------------------------------------------------------------------------


def _delete_after_commit(names):
    """Have stored files deleted once this transaction commits (or by the next retention run)."""
    names = [name for name in names if name]
    if names:
        FileToDelete.objects.bulk_create([FileToDelete(name=name) for name in names])
        transaction.on_commit(delete_pending_files)


def delete_pending_files():
    """Delete the stored files whose rows let go of them; return how many."""
    deleted = 0
    for pending in FileToDelete.objects.order_by("pk"):
        default_storage.delete(pending.name)
        FileToDelete.objects.filter(pk=pending.pk).delete()
        deleted += 1
    return deleted


# --- anonymisation -------------------------------------------------------------------------


def _erase_letters(complaint, now):
    """Replace the complaint's letters (text, HTML and PDF) with a note that they were erased."""
    if not (complaint.letters.exists() or complaint.postal_letters.exists()):
        return {"letters": 0, "postal_letters": 0}, []
    hashes = [
        {"letter_id": pk, "kind": kind, "letter_date": letter_date.isoformat(), "pdf_sha256": digest}
        for pk, kind, letter_date, digest in complaint.letters.exclude(pdf_sha256="").values_list(
            "pk", "kind", "letter_date", "pdf_sha256")
    ]
    context = {"complaint": complaint, "erased_on": clock.uk_date(now)}
    page = render_to_string("privacy/erased_letter.html", context)
    text = render_to_string("privacy/erased_letter.txt", context)
    pdf = printing.render_pdf(page)
    digest = hashlib.sha256(pdf).hexdigest()
    counts = {
        # Sent letters refuse save(): this update is the sanctioned erasure.
        "letters": complaint.letters.update(text=text, html=page, pdf=pdf, pdf_sha256=digest, to_email="",
                                            last_error=""),
        "postal_letters": complaint.postal_letters.update(html=page, pdf=pdf, pdf_sha256=digest),
    }
    return counts, hashes


@transaction.atomic
def anonymise_complaint(*, complaint, now=None):
    """Erase a complaint's personal data once its retention period is over, and record it.

    Erases the description, desired outcome and resolution summary; the words of every
    timeline event (messages, notes, reasons); the attachments' files (deleted from storage
    once this commits), names and hashes; the emails' addresses, subjects and bodies, and the
    emails received on it (their original files, senders and subjects); the
    letters' text, HTML and PDF; and the ombudsman case's reference and practical action.
    Dates, kinds, amounts, states and who acted stay, for the figures. Raises NotErasable
    unless the rules allow it now (closed long enough, no ADR window or case open).
    """
    now = now or timezone.now()
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not rules.expired_complaints(now).filter(pk=complaint.pk).exists():
        raise NotErasable(f"{complaint} is not due for anonymisation: it must be kept as it is for now.")
    _delete_after_commit(complaint.attachments.exclude(file="").values_list("file", flat=True))
    # The kept timeline holds the words being erased. Forgotten now (with the cache down, the
    # erasure waits for the next run rather than leave them there) and again on commit, for a
    # page rendered meanwhile from words read before the erasure (a failure then is only
    # logged: the ERASED event makes the next visit render the timeline afresh anyway).
    kept_timelines.forget(complaint)
    transaction.on_commit(lambda: kept_timelines.forget(complaint), robust=True)
    received = InboundMessage.objects.filter(complaint=complaint)
    _delete_after_commit(received.exclude(raw="").values_list("raw", flat=True))
    letter_counts, letter_hashes = _erase_letters(complaint, now)
    counts = {
        "events": complaint.events.erase_personal_data(),
        "attachments": complaint.attachments.update(file="", original_name="", sha256=""),
        "emails": complaint.emails.update(**ERASED_EMAIL),
        "emails_received": received.update(raw="", message_id="", from_address="", subject="", reason=""),
        **letter_counts,
        "referral": Referral.objects.filter(complaint=complaint).update(case_reference="", remedy_action=""),
    }
    Complaint.objects.filter(pk=complaint.pk).update(description="", desired_outcome="", resolution_summary="")
    erasure = Erasure.objects.create(
        complaint=complaint, erased_at=now, retention_years=settings.RETENTION_YEARS,
        counts=counts, letter_hashes=letter_hashes,
    )
    Event.objects.create(
        complaint=complaint, kind=EventKind.ERASED, created_at=now,
        summary="Personal data erased after the retention period",
        data={"erasure_id": erasure.pk, "retention_years": erasure.retention_years, **counts},
    )
    return erasure


@transaction.atomic
def erase_unattached_mail(*, now=None):
    """Erase the emails received that never became part of a complaint, once kept long enough.

    Automatic mail, mail dismissed on review and mail left waiting are kept as long as a closed
    complaint (``RETENTION_YEARS`` from arrival); then their files, senders and subjects go.
    The rows stay, as the record that the mailbox's message was read. Return how many.
    """
    expired = InboundMessage.objects.filter(complaint__isnull=True, arrived_at__lt=rules.retention_cutoff(
        now or timezone.now())).exclude(raw="")
    _delete_after_commit(expired.values_list("raw", flat=True))
    return expired.update(raw="", message_id="", from_address="", subject="", reason="")


@transaction.atomic
def anonymise_customer(*, customer, now=None):
    """Erase a customer's own details once the rules allow it (see rules.customers_to_erase).

    Name, email, phone, address, business name and support needs go, with the emails we
    sent them outside any complaint; they can never log in again. The customer type and
    business size stay for the figures.
    """
    now = now or timezone.now()
    customer = get_user_model().objects.select_for_update().get(pk=customer.pk)
    if not rules.customers_to_erase().filter(pk=customer.pk).exists():
        raise NotErasable(f"Customer #{customer.pk} is not due for erasure.")
    if customer.email:
        OutgoingEmail.objects.filter(complaint__isnull=True, to__iexact=customer.email).update(**ERASED_EMAIL)
    customer.email = None
    customer.full_name = customer.phone = customer.address = customer.postcode = customer.business_name = ""
    customer.withdraw_support_consent()
    customer.set_unusable_password()
    customer.is_active = False
    customer.save()
    # The admin's history names the record as it was when staff changed it.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(customer), object_id=str(customer.pk)
    ).update(object_repr=str(customer))
    requests = customer.subject_access_requests.all()
    _delete_after_commit(requests.exclude(export="").values_list("export", flat=True))
    requests.update(notes="", export="")
    closed = AccountClosure.objects.filter(customer=customer).exists()
    return CustomerErasure.objects.create(
        customer=customer, erased_at=now,
        reason="Closed their account" if closed else "Had no login; on record only for their complaints",
    )


# --- closing an account --------------------------------------------------------------------


@transaction.atomic
def close_account(*, customer, withdraw_open=False):
    """Close a customer's account at their request.

    They can no longer log in. Their complaints are kept (the retention job anonymises them
    later); open ones go on being handled by email or post unless the customer asked us to
    withdraw them. An email confirms the closure.
    """
    customer = get_user_model().objects.select_for_update().get(pk=customer.pk)
    if AccountClosure.objects.filter(customer=customer).exists():
        raise ValueError("This account is already closed.")
    open_complaints = list(customer.complaints.open().order_by("received_at", "pk"))
    for complaint in open_complaints:
        if withdraw_open:
            withdraw_complaint(complaint=complaint, customer=customer,
                               reason="Withdrawn at the customer's request as they closed their account.")
        else:
            Event.objects.create(
                complaint=complaint, kind=EventKind.NOTE, visible_to_customer=False,
                summary="The customer closed their online account",
                body="They can no longer read replies in the portal: keep writing to them by "
                     f"{customer.get_preferred_contact_display().lower()}. The complaint goes on as before.",
            )
    customer.set_unusable_password()
    customer.is_active = False
    customer.save(update_fields=["password", "is_active"])
    closure = AccountClosure.objects.create(
        customer=customer, open_complaints=len(open_complaints),
        withdrawn_complaints=len(open_complaints) if withdraw_open else 0,
    )
    if customer.email:
        outbox.queue_email(kind=EmailKind.OTHER, to=customer.email, template="privacy/email/account_closed",
                           context={"customer": customer, "closure": closure,
                                    "open_complaints": [] if withdraw_open else open_complaints})
    return closure


# --- subject access requests ---------------------------------------------------------------


def _log(sar, actor, summary):
    SarLogEntry.objects.create(request=sar, actor=actor, summary=summary)


@transaction.atomic
def record_subject_access_request(*, sar, actor):
    """Save a new subject access request (an unsaved instance), fixing the day it is due."""
    sar.recorded_by = actor
    sar.fix_due_date()
    sar.save()
    _log(sar, actor, f"Request received by {sar.get_channel_display().lower()}; "
                     f"to be answered by {uk_date(sar.due_on)}")
    return sar


@transaction.atomic
def update_subject_access_notes(*, sar, actor):
    """Save a request's notes as staff edited them."""
    sar.save(update_fields=["notes"])
    _log(sar, actor, "Notes updated")
    return sar


@transaction.atomic
def generate_subject_access_export(*, sar, actor):
    """Make the customer's export for staff to send, replacing any earlier one."""
    sar = SubjectAccessRequest.objects.select_for_update().select_related("customer").get(pk=sar.pk)
    if sar.status != SarStatus.OPEN:
        raise ValueError(f"{sar} is answered already.")
    previous = sar.export.name
    with tempfile.TemporaryFile() as archive:
        export.write_archive(sar.customer, archive)
        size = archive.tell()
        archive.seek(0)
        digest = hashlib.file_digest(archive, "sha256").hexdigest()
        archive.seek(0)
        sar.export.save("export.zip", File(archive), save=False)
    _delete_after_commit([previous])
    sar.export_sha256, sar.export_generated_at = digest, timezone.now()
    sar.save(update_fields=["export", "export_sha256", "export_generated_at"])
    _log(sar, actor, f"Export generated ({filesizeformat(size)}, SHA-256 {digest})")
    return sar


@transaction.atomic
def record_subject_access_download(*, sar, actor):
    """Record that a staff member downloaded a request's export: in its log, and as a look at
    each of the customer's complaints (the export holds all of them)."""
    _log(sar, actor, f"Export downloaded (SHA-256 {sar.export_sha256})")
    complaint_ids = Complaint.objects.filter(customer_id=sar.customer_id).values_list("pk", flat=True)
    access.record_access(staff=actor, kind=AccessKind.SUBJECT_ACCESS_EXPORT, complaint_ids=complaint_ids)


@transaction.atomic
def mark_subject_access_answered(*, sar, actor):
    """Record that the export was sent; the file is deleted and only its SHA-256 kept."""
    sar = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
    if sar.status != SarStatus.OPEN:
        raise ValueError(f"{sar} is answered already.")
    if not sar.export:
        raise ValueError(f"Generate the export for {sar} and send it before marking it answered.")
    _delete_after_commit([sar.export.name])
    sar.status, sar.answered_at, sar.answered_by, sar.export = SarStatus.ANSWERED, timezone.now(), actor, ""
    sar.save(update_fields=["status", "answered_at", "answered_by", "export"])
    late = clock.uk_date(sar.answered_at) > sar.due_on
    _log(sar, actor, f"Answered{' late' if late else ''}: export SHA-256 {sar.export_sha256} sent; "
                     "our copy of the file deleted")
    return sar
