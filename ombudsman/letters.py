"""ADR and deadlock letters: render their text and HTML, and check every element the rules require.

Both kinds share this module. A letter that lacks a required element is refused with
``LetterContentError`` before anything is saved, so it is never sent. Its PDF is made from
the stored HTML when it is first delivered or opened (``complaints.printing.ensure_pdf``).
"""

import html
import re

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import strip_tags

from clock import uk_today
from complaints import outbox
from ombudsman.models import Delivery, Letter, LetterKind, LetterStatus, Scheme

DATE_FORMAT = "j F Y"


class LetterContentError(Exception):
    """Raised when a letter would lack something the rules require it to say."""


def uk_date(day):
    return format_date(day, DATE_FORMAT)


def provider_scheme():
    """Return the provider's scheme, or refuse if there is none to name in a letter."""
    scheme = Scheme.objects.provider_scheme()
    if scheme is None:
        raise LetterContentError(
            "No active ADR scheme is set up as the provider's scheme: set one up in the admin "
            "(Ombudsman (ADR) › Schemes) before letters can be sent."
        )
    return scheme


def write(*, complaint, kind, now=None, reason="", scheme=None):
    """Render a letter for a complaint and return it unsaved, or raise LetterContentError.

    ``scheme`` saves looking up the provider's scheme again when writing many letters.
    """
    now = now or timezone.now()
    scheme = scheme or provider_scheme()
    details = scheme.snapshot()
    letter_date = uk_today(now)
    refer_by = letter_date + relativedelta(months=details["referral_window_months"])
    customer = complaint.customer
    large_print = customer.wants_large_print
    context = {
        "kind": kind, "complaint": complaint, "customer": customer, "scheme": details,
        "provider": settings.PROVIDER, "letter_date": letter_date, "refer_by": refer_by,
        "reason": reason, "large_print": large_print,
        "days_since_receipt": complaint.day_number(now),
        "complaint_url": outbox.absolute_url(complaint.get_absolute_url()),
    }
    text = render_to_string(f"ombudsman/letters/{kind}.txt", context)
    page = render_to_string(f"ombudsman/letters/{kind}.html", context)
    missing = missing_elements(text, complaint=complaint, scheme=details, letter_date=letter_date,
                               refer_by=refer_by)
    missing += [f"{name} (in the PDF version)" for name in missing_elements(
        html_to_text(page), complaint=complaint, scheme=details, letter_date=letter_date, refer_by=refer_by,
    )]
    if missing:
        raise LetterContentError(
            f"The {LetterKind(kind).label.lower()} for {complaint.tracking_number} cannot be sent: "
            f"it lacks {', '.join(missing)}. Fix the scheme's details in the admin or the letter template."
        )
    by_email = customer.gets_email
    return Letter(
        complaint=complaint, kind=kind, letter_date=letter_date, refer_by=refer_by, scheme=scheme,
        scheme_details=details, large_print=large_print, text=text, html=page,
        delivery=Delivery.EMAIL if by_email else Delivery.POST, to_email=customer.email if by_email else "",
        reply_to=settings.MAIL_IN_ADDRESS if by_email else "",
        status=LetterStatus.PENDING,
    )


def html_to_text(page):
    body = page.split("<body", 1)[-1]
    return html.unescape(strip_tags(body))


def _normalise(text):
    return " ".join(text.split()).casefold()


def missing_elements(text, *, complaint, scheme, letter_date, refer_by):
    """List what the rules require a letter to say that this text does not say."""
    flat = _normalise(text)

    def says(value):
        value = _normalise(str(value or ""))
        return bool(value) and value in flat

    def matches(pattern):
        return re.search(pattern, flat) is not None

    address_lines = [line for line in (scheme.get("postal_address") or "").splitlines() if line.strip()]
    checks = [
        ("the tracking number", says(complaint.tracking_number)),
        ("the date the complaint was received", says(uk_date(complaint.received_on))),
        ("the letter's date", says(uk_date(letter_date))),
        ("the scheme's name", says(scheme.get("name"))),
        ("the scheme's website", says(scheme.get("website"))),
        ("the scheme's phone number", says(scheme.get("phone"))),
        ("the scheme's postal address", bool(address_lines) and all(says(line) for line in address_lines)),
        ("that the scheme is free", matches(r"\bfree\b")),
        ("that the scheme is independent", matches(r"\bindependent\b")),
        ("that a decision the customer accepts is binding on us",
         matches(r"\bif you accept its decision, we must do what it says\b")),
        ("that the customer is not bound", matches(r"\byou do not have to accept it\b")),
        ("the time to refer (12 months from the letter's date)",
         matches(rf"\b{scheme.get('referral_window_months')} months from the date of this letter\b")
         and says(uk_date(refer_by))),
    ]
    return [name for name, present in checks if not present]
