"""A customer's copy of their data: a zip of ``data.json`` with their attachments and letters.

The customer downloads it from their profile; staff generate the same file to answer a
subject access request. It holds what the customer can see in the portal (never internal
notes) and what we sent them: ``data.json`` for machines, and ``your-data.html``, the same
in the portal's own layout for a person to read in any web browser (self-contained: its
style is inside it, and it links only to the files beside it in the zip).
"""

import json
import shutil
import zipfile

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename

import clock
from complaints import printing
from complaints.models import Attachment, Event, OutgoingEmail, PostalLetter
from ombudsman.models import Letter, Scheme
from privacy.models import AccountClosure

DOCUMENT = "your-data.html"


def _when(value):
    """Format a datetime in UK time (dates as they are), for people and machines alike."""
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        return clock.uk_time(value).isoformat()
    return value.isoformat()


def _profile(customer):
    closure = AccountClosure.objects.filter(customer=customer).first()
    return {
        "customer_number": customer.pk,
        "email": customer.email,
        "full_name": customer.full_name,
        "phone": customer.phone,
        "address": customer.address,
        "postcode": customer.postcode,
        "customer_type": customer.get_customer_type_display(),
        "business_name": customer.business_name,
        "business_workers": customer.business_workers,
        "preferred_contact": customer.get_preferred_contact_display(),
        "support_needs": {
            "consent_given_at": _when(customer.support_consent_at),
            "accessibility_needs": customer.accessibility_needs,
            "vulnerable": customer.vulnerable,
            "vulnerability_notes": customer.vulnerability_notes,
            "preferred_format": customer.get_preferred_format_display(),
        } if customer.has_support_consent else None,
        "account_created_at": _when(customer.date_joined),
        "last_login_at": _when(customer.last_login),
        "account_closed_at": _when(closure.closed_at) if closure else None,
    }


def _author(event, complaint):
    if event.actor_id is None:
        return "us (automatically)"
    return "you" if event.actor_id == complaint.customer_id else "our complaints team"


def _zip_name(*parts):
    return "/".join(get_valid_filename(part) for part in parts)


def _complaint(complaint, files):
    """Return one complaint's data (prefetched by ``customer_data``), adding the files to put
    in the zip to ``files``."""
    folder = ("complaints", complaint.tracking_number)
    attachments = []
    for attachment in complaint.customer_attachments:
        path = None
        if attachment.file and default_storage.exists(attachment.file.name):
            path = _zip_name(*folder, "attachments", f"{attachment.pk}-{attachment.original_name}")
            files.append((path, ("attachment", attachment)))
        attachment.zip_path = path  # for the readable document
        attachments.append({
            "id": attachment.pk, "name": attachment.original_name, "content_type": attachment.content_type,
            "size": attachment.size, "uploaded_at": _when(attachment.uploaded_at), "sha256": attachment.sha256,
            "file": path,
        })
    letters = []
    for letter in complaint.letters.all():
        path = _zip_name(*folder, "letters", letter.filename)
        files.append((path, ("letter", letter)))
        letter.zip_path = path
        letters.append({
            "kind": letter.get_kind_display(), "letter_date": _when(letter.letter_date),
            "refer_by": _when(letter.refer_by), "scheme": letter.scheme_details.get("name"),
            "delivery": letter.get_delivery_display(), "status": letter.get_status_display(),
            "sent_at": _when(letter.sent_at), "text": letter.text, "file": path,
        })
    for letter in complaint.postal_letters.all():
        path = _zip_name(*folder, "letters", letter.filename)
        files.append((path, ("postal", letter)))
        letter.zip_path = path
        letters.append({
            "kind": letter.get_kind_display(), "letter_date": _when(letter.created_at),
            "delivery": "Post", "status": letter.get_status_display(), "sent_at": _when(letter.posted_at),
            "file": path,
        })
    erasure = getattr(complaint, "erasure", None)
    referral = getattr(complaint, "referral", None)
    return {
        "tracking_number": complaint.tracking_number,
        "received_at": _when(complaint.received_at),
        "channel": complaint.get_channel_display(),
        "product": complaint.get_product_display(),
        "category": complaint.get_category_display(),
        "description": complaint.description,
        "desired_outcome": complaint.desired_outcome,
        "statement_date": _when(complaint.statement_date),
        "status": complaint.get_status_display(),
        "acknowledged_at": _when(complaint.acknowledged_at),
        "closed_at": _when(complaint.closed_at),
        "adr_rights": complaint.adr_rights,
        "adr_opens_at": _when(complaint.adr_opens_at),
        "deadlock_at": _when(complaint.deadlock_at),
        "outcome": {
            "summary": complaint.resolution_summary,
            "upheld": complaint.get_upheld_display(),
            "apology": complaint.remedy_apology,
            "explanation": complaint.remedy_explanation,
            "credit_gbp": str(complaint.credit_amount),
            "refund_gbp": str(complaint.refund_amount),
        } if complaint.upheld else None,
        "personal_data_erased_at": _when(erasure.erased_at) if erasure else None,
        "timeline": [
            {"at": _when(event.created_at), "what": event.get_kind_display(), "summary": event.summary,
             "by": _author(event, complaint), "text": event.body,
             "attachments": [attachment.pk for attachment in event.attachments.all()]}
            for event in complaint.customer_events
        ],
        "attachments": attachments,
        "letters": letters,
        "emails": _emails(complaint.customer_emails, with_text=True),
        "ombudsman": {
            "scheme": referral.scheme.name, "case_reference": referral.case_reference,
            "referred_on": _when(referral.referred_on), "accepted_on": _when(referral.accepted_on),
            "decision": referral.get_decision_display(), "decision_on": _when(referral.decision_on),
            "award_gbp": str(referral.award_amount), "practical_action": referral.remedy_action,
            "you_accepted_on": _when(referral.customer_accepted_on),
            "you_turned_down_on": _when(referral.customer_rejected_on), "complied_on": _when(referral.complied_on),
        } if referral else None,
    }


def _emails_to(customer):
    """Return the emails we sent the customer's address (none when they have no email)."""
    if not customer.email:
        return OutgoingEmail.objects.none()
    return OutgoingEmail.objects.filter(to__iexact=customer.email).order_by("created_at", "pk")


def _emails(emails, *, with_text):
    return [
        {"kind": email.get_kind_display(), "to": email.to, "subject": email.subject,
         "status": email.get_status_display(), "queued_at": _when(email.created_at), "sent_at": _when(email.sent_at),
         # Other emails (sign-up and password links) carry one-time links: their subjects are enough.
         **({"text": email.text_body} if with_text else {})}
        for email in emails
    ]


def _complaints(customer):
    """Return the customer's complaints with all the export reads of them, in a handful of queries."""
    return customer.complaints.order_by("received_at", "pk").select_related(
        "referral__scheme", "erasure"
    ).prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.for_customer(), to_attr="customer_attachments"),
        Prefetch("events", queryset=Event.objects.for_customer().prefetch_related("attachments"),
                 to_attr="customer_events"),
        Prefetch("letters", queryset=Letter.objects.select_related("scheme").order_by("created_at", "pk")),
        Prefetch("postal_letters", queryset=PostalLetter.objects.order_by("created_at", "pk")),
        Prefetch("emails", queryset=_emails_to(customer), to_attr="customer_emails"),
    )


def customer_data(customer, files=None, complaints=None):
    """Return everything the export says about a customer; the files to add go in ``files``.

    ``complaints`` are the customer's complaints as ``_complaints`` reads them, if read already.
    """
    files = [] if files is None else files
    # A handful of queries for all the complaints together, however many there are.
    complaints = _complaints(customer) if complaints is None else complaints
    return {
        "generated_at": _when(timezone.now()),
        "provider": settings.PROVIDER["name"],
        "profile": _profile(customer),
        "complaints": [_complaint(complaint, files) for complaint in complaints],
        "other_emails": _emails(_emails_to(customer).filter(complaint__isnull=True), with_text=False),
        "subject_access_requests": [
            {"received_at": _when(request.received_at), "due_on": _when(request.due_on),
             "status": request.get_status_display(), "answered_at": _when(request.answered_at)}
            for request in customer.subject_access_requests.order_by("received_at", "pk")
        ],
    }


def _write_file(archive, path, source):
    kind, obj = source
    if kind == "attachment":
        with default_storage.open(obj.file.name, "rb") as stored, archive.open(path, "w") as target:
            shutil.copyfileobj(stored, target)
    else:
        archive.writestr(path, printing.ensure_pdf(obj))


def readable_document(customer, complaints, data, generated_at):
    """Return the export as a page a person reads: the profile, then each complaint with its
    timeline, messages, letters, files and emails, as the portal shows them (self-contained)."""
    provider_scheme = Scheme.objects.provider_scheme()
    closure = AccountClosure.objects.filter(customer=customer).first()
    sections = []
    for complaint in complaints:
        referral = getattr(complaint, "referral", None)
        attachments_by_event = {}
        for attachment in complaint.customer_attachments:
            attachments_by_event.setdefault(attachment.event_id, []).append(attachment)
        sections.append({
            "complaint": complaint,
            "scheme": referral.scheme if referral else provider_scheme,
            "referral": referral,
            "erasure": getattr(complaint, "erasure", None),
            # Before one event recorded a deadlock, a status change came with it (as on the page).
            "timeline": [(event, attachments_by_event.get(event.pk, [])) for event in complaint.customer_events
                         if not (event.kind == "status_changed" and event.data.get("to") == "deadlock")],
        })
    return render_to_string(f"privacy/{DOCUMENT}", {
        "customer": customer, "closure": closure, "provider": settings.PROVIDER, "generated_at": generated_at,
        "complaints": sections, "other_emails": _emails_to(customer).filter(complaint__isnull=True),
        "subject_access_requests": customer.subject_access_requests.order_by("received_at", "pk"),
        "data": data,
    })


def write_archive(customer, target):
    """Write the customer's zip (``data.json``, the readable ``your-data.html``, a README,
    attachments and letter PDFs) to a file."""
    files = []
    complaints = list(_complaints(customer))
    data = customer_data(customer, files, complaints)
    generated_at = timezone.now()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", render_to_string("privacy/export_readme.txt", {
            "customer": customer, "provider": settings.PROVIDER, "generated_at": generated_at,
            "document": DOCUMENT,
        }))
        archive.writestr(DOCUMENT, readable_document(customer, complaints, data, generated_at))
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        for path, source in files:
            _write_file(archive, path, source)
    return target
