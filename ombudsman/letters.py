"""ADR and deadlock letters: render their text and HTML, and check every element the rules require.

Both kinds share this module. A letter that lacks a required element is refused with
``LetterContentError`` before anything is saved, so it is never sent. Its PDF is made from
the stored HTML when it is first delivered or opened (``complaints.printing.ensure_pdf``).

A ``Press`` writes letters of one kind at one moment. Writing many (the sweep's batches), it
renders the templates once per variant (which optional lines a letter has) with a marker
where each letter's own words go, and fills the markers in for each letter as the template
prints them. Every letter is still checked for every element: once for all the letters of a
variant where checking the variant proves it (``Variant``), on the letter itself otherwise.
"""

import functools
import html
import re
from types import SimpleNamespace

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date

from clock import uk_today
from complaints import outbox
from ombudsman.models import Delivery, Letter, LetterKind, LetterStatus, Scheme

DATE_FORMAT = "j F Y"

# Each letter's own words, as the templates read them; everything else in a letter is the
# same for every letter a press writes.
OWN_COMPLAINT = ("tracking_number", "waiting_period_words")
OWN_CUSTOMER = ("full_name", "business_name", "address", "postcode")
OWN = (*OWN_COMPLAINT, *OWN_CUSTOMER, "days_since_receipt", "complaint_url", "received_on", "adr_opens_on")
# How the HTML prints a letter's own words: escaped (as Django escapes a str), the address
# with its line breaks (the text prints them as they are). tests/ombudsman/test_claim_in_sets.py
# holds the two ways of rendering to the same letters.
IN_HTML = {"address": lambda value: linebreaksbr(value, autoescape=True)}
# Private-use characters: no scheme, customer or template text contains them.
MARKER = re.compile("\ue000(\\w+)\ue001")
# What a letter reads of its complaint and customer (``Press.write_many``'s callers need load
# no more): each letter's own words, the dates checked, and how it goes out.
COMPLAINT_FIELDS = ("id", "tracking_number", "received_at", "adr_opens_at", "waiting_period_days", "customer_id")
CUSTOMER_FIELDS = ("id", "email", "preferred_contact", "preferred_format", "support_consent_at", *OWN_CUSTOMER)
# Where each of a letter's own words goes when a variant is checked once for all its letters
# (``Variant``): private-use characters, like the markers.
WALLS = {name: chr(0xE100 + index) for index, name in enumerate(OWN)}
_WALL_SET = frozenset(WALLS.values())
_OPEN_ENTITY = re.compile(r"&[#\w]*$")
# Stands for the tracking number in the link reversed once a press (no number has lower case).
LINK_PLACEHOLDER = "tracking-number"


class LetterContentError(Exception):
    """Raised when a letter would lack something the rules require it to say."""


def uk_date(day):
    return _date_in_words(day, translation.get_language())


@functools.lru_cache(maxsize=4096)
def _date_in_words(day, language):
    # A letter batch says the same few dates thousands of times; formatting one is slow.
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
    return Press(kind=kind, now=now, reason=reason, scheme=scheme).write(complaint)


class Press:
    """Write letters of one kind as of one moment, quoting the scheme's details as they are now."""

    def __init__(self, *, kind, now=None, reason="", scheme=None):
        self.kind, self.reason = kind, reason
        self.now = now or timezone.now()
        self.scheme = scheme or provider_scheme()
        self.details = self.scheme.snapshot()
        self.letter_date = uk_today(self.now)
        self.refer_by = self.letter_date + relativedelta(months=self.details["referral_window_months"])
        self.templates = [get_template(f"ombudsman/letters/{kind}.{ext}") for ext in ("txt", "html")]
        self.required = _required_of_letter(self.details, self.letter_date, self.refer_by)
        self.variants = {}
        # Every complaint's page has the same link but for its number: reversed once a press.
        link = outbox.absolute_url(reverse("complaints:detail", args=[LINK_PLACEHOLDER]))
        self.page_link_before, _, self.page_link_after = link.rpartition(LINK_PLACEHOLDER)

    def write(self, complaint):
        """Render one letter and return it unsaved, or raise LetterContentError."""
        own = self._own(complaint)
        large_print = complaint.customer.wants_large_print
        text, page = (template.render(self._context(own, large_print)) for template in self.templates)
        return self._letter(complaint, text, page, large_print)

    def write_many(self, complaints):
        """Return the complaints' letters unsaved, or raise LetterContentError for the first that lacks an element."""
        letters = []
        for complaint in complaints:
            own = self._own(complaint)
            large_print = complaint.customer.wants_large_print
            variant = self._variant(own, large_print)
            html_own = {name: IN_HTML.get(name, html.escape)(value) for name, value in own.items()}
            checked = variant.says(own, _required_of_complaint(complaint))
            letters.append(self._letter(complaint, _fill(variant.text, own), _fill(variant.page, html_own),
                                        large_print, checked=checked))
        return letters

    def _own(self, complaint):
        customer = complaint.customer
        own = {name: getattr(complaint, name) for name in OWN_COMPLAINT}
        own.update((name, getattr(customer, name)) for name in OWN_CUSTOMER)
        own.update(
            days_since_receipt=str(complaint.day_number(self.now)),
            complaint_url=f"{self.page_link_before}{complaint.tracking_number}{self.page_link_after}",
            received_on=uk_date(complaint.received_on), adr_opens_on=uk_date(complaint.adr_deadline_date),
        )
        return own

    def _context(self, own, large_print):
        return {
            "kind": self.kind, "scheme": self.details, "provider": settings.PROVIDER, "reason": self.reason,
            "letter_date": self.letter_date, "refer_by": self.refer_by, "large_print": large_print,
            "complaint": SimpleNamespace(**{name: own[name] for name in OWN_COMPLAINT}),
            "customer": SimpleNamespace(**{name: own[name] for name in OWN_CUSTOMER}),
            **{name: own[name] for name in OWN if name not in OWN_COMPLAINT + OWN_CUSTOMER},
        }

    def _variant(self, own, large_print):
        """Return the text and HTML with markers for this letter's own words, rendered once per variant."""
        empty = tuple(name for name in OWN if not own[name])
        key = (large_print, empty)
        if key not in self.variants:
            markers = {name: "" if name in empty else f"\ue000{name}\ue001" for name in OWN}
            text, page = (_parts(template.render(self._context(markers, large_print))) for template in self.templates)
            self.variants[key] = Variant(text, page, self.required)
        return self.variants[key]

    def _letter(self, complaint, text, page, large_print, *, checked=False):
        """Check a rendered letter and return it unsaved, or raise LetterContentError.

        ``checked``: its variant proved it has every element (``Variant.says``).
        """
        missing = []
        if not checked:
            required = [*_required_of_complaint(complaint), *self.required]
            missing = _missing(text, required)
            missing += [f"{name} (in the PDF version)" for name in _missing(html_to_text(page), required)]
        if missing:
            raise LetterContentError(
                f"The {LetterKind(self.kind).label.lower()} for {complaint.tracking_number} cannot be sent: "
                f"it lacks {', '.join(missing)}. Fix the scheme's details in the admin or the letter template."
            )
        customer = complaint.customer
        by_email = customer.gets_email
        return Letter(
            complaint=complaint, kind=self.kind, letter_date=self.letter_date, refer_by=self.refer_by,
            scheme=self.scheme, scheme_details=self.details, large_print=large_print, text=text, html=page,
            delivery=Delivery.EMAIL if by_email else Delivery.POST, to_email=customer.email if by_email else "",
            reply_to=settings.MAIL_IN_ADDRESS if by_email else "",
            status=LetterStatus.PENDING,
        )


class Variant:
    """A variant's text and HTML with markers, and what checking it once proves of all its letters.

    The variant is checked as a letter is, with a wall (``WALLS``, a character no required
    phrase has) where each of a letter's own words goes. A phrase found there lies within the
    template's own words, which every letter of the variant prints as they are, so every
    letter says it too; whole words count only away from a wall, as a letter's own words
    could join them. If the variant so says every element its date and scheme require
    (``proven``), each letter needs checking only for its complaint's elements, which are its
    own words: ``says`` finds them among those the variant shows as text. Whatever is not
    proven so is checked on the letter itself, as a letter written alone is.
    """

    def __init__(self, text, page, required):
        self.text, self.page = text, page
        text_flat = _normalise(_fill(text, WALLS))
        walled_page = _fill(page, WALLS)
        page_flat = _normalise(html_to_text(walled_page))
        body = walled_page.split("<body", 1)[-1]
        self.proven = (
            # An entity left open before a letter's own words could be finished by them.
            not any(_OPEN_ENTITY.search(piece) for piece in page[::2])
            # Own words the HTML prints with tags of their own (the address's line breaks)
            # would end a tag they were put inside, and let its rest out as text.
            and not any(WALLS[name] in body and WALLS[name] not in page_flat for name in IN_HTML)
            and not any(wall in phrase for wall in WALLS.values() for _, phrases, _ in required for phrase in phrases)
            and not _missing_in(text_flat, required, walled=True)
            and not _missing_in(page_flat, required, walled=True)
        )
        # Own words printed as text in both versions (the HTML prints the address's line breaks as tags).
        self.shown = [name for name in OWN
                      if name not in IN_HTML and WALLS[name] in text_flat and WALLS[name] in page_flat]

    def says(self, own, required):
        """Say whether a letter of this variant with these own words has all of ``required``."""
        shown = [_normalise(own[name]) for name in self.shown]
        return self.proven and all(
            not whole_words and all(phrase and any(phrase in value for value in shown) for phrase in phrases)
            for _, phrases, whole_words in required
        )


def _parts(rendered):
    """Split a rendering with markers into its literal pieces and, between them, the names to fill in."""
    parts = MARKER.split(rendered)
    if any(name not in OWN for name in parts[1::2]) or any("\ue000" in piece or "\ue001" in piece
                                                           for piece in parts[::2]):
        # A template changed a marker (a filter on a letter's own words): the batch fails, and the
        # sweep writes its letters one by one.
        raise ValueError("A letter template transforms a letter's own words: it cannot be rendered once for many.")
    return parts


def _fill(parts, values):
    return "".join(piece if index % 2 == 0 else values[piece] for index, piece in enumerate(parts))


_TAG = re.compile(r"<[^>]*>")


def html_to_text(page):
    # A regular expression, not strip_tags: the letters' HTML is the portal's own (every value
    # in it escaped), and a sweep checks thousands.
    body = page.split("<body", 1)[-1]
    return html.unescape(_TAG.sub("", body))


def _normalise(text):
    return " ".join(text.split()).casefold()


@functools.lru_cache(maxsize=64)
def _whole_words(words):
    return re.compile(rf"\b{re.escape(words)}\b")


def missing_elements(text, *, complaint, scheme, letter_date, refer_by):
    """List what the rules require a letter to say that this text does not say."""
    return _missing(text, [*_required_of_complaint(complaint), *_required_of_letter(scheme, letter_date, refer_by)])


def _required_of_complaint(complaint):
    """Return what a letter must say about its complaint: (element, phrases, whole words) each."""
    return [
        ("the tracking number", [_phrase(complaint.tracking_number)], []),
        ("the date the complaint was received", [_phrase(uk_date(complaint.received_on))], []),
    ]


def _required_of_letter(scheme, letter_date, refer_by):
    """Return what every letter of a date and scheme must say: (element, phrases, whole words) each."""
    address_lines = [line for line in (scheme.get("postal_address") or "").splitlines() if line.strip()]
    return [
        ("the letter's date", [_phrase(uk_date(letter_date))], []),
        ("the scheme's name", [_phrase(scheme.get("name"))], []),
        ("the scheme's website", [_phrase(scheme.get("website"))], []),
        ("the scheme's phone number", [_phrase(scheme.get("phone"))], []),
        ("the scheme's postal address", [_phrase(line) for line in address_lines] or [""], []),
        ("that the scheme is free", [], ["free"]),
        ("that the scheme is independent", [], ["independent"]),
        ("that a decision the customer accepts is binding on us", [],
         ["if you accept its decision, we must do what it says"]),
        ("that the customer is not bound", [], ["you do not have to accept it"]),
        ("the time to refer (12 months from the letter's date)", [_phrase(uk_date(refer_by))],
         [f"{scheme.get('referral_window_months')} months from the date of this letter"]),
    ]


def _phrase(value):
    # An empty phrase is never said: a letter cannot quote what the scheme lacks.
    return _normalise(str(value or ""))


def _missing(text, required):
    return _missing_in(_normalise(text), required)


def _missing_in(flat, required, *, walled=False):
    return [name for name, phrases, whole_words in required
            if not (all(phrase and phrase in flat for phrase in phrases)
                    and all(_says_words(flat, words, walled) for words in whole_words))]


def _says_words(flat, words, walled=False):
    # As re.search(rf"\b{words}\b") would, but found from where the words are: a pattern that
    # starts with \b is tried at every position of the letter, and a sweep checks thousands.
    whole = _whole_words(words)
    start = flat.find(words)
    while start != -1 and not (whole.match(flat, start) and not (walled and _by_a_wall(flat, start, len(words)))):
        start = flat.find(words, start + 1)
    return start != -1


def _by_a_wall(flat, start, length):
    end = start + length
    return (start > 0 and flat[start - 1] in _WALL_SET) or (end < len(flat) and flat[end] in _WALL_SET)
