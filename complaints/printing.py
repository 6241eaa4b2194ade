"""Letters by post: the HTML when the letter is owed, its PDF once, at the first download.

The PDF helpers also serve the ombudsman's letters.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

from clock import uk_today
from complaints.models import PostalKind, PostalLetter

TEMPLATES = {
    PostalKind.ACKNOWLEDGEMENT: "complaints/letters/acknowledgement.html",
    PostalKind.MESSAGE: "complaints/letters/message.html",
    PostalKind.FINAL_ANSWER: "complaints/letters/message.html",
}


def write_letter(*, complaint, kind, context, event=None, template=None):
    """Save a letter for the print queue, in the customer's format (large print if asked).

    It is written from its kind's template, or from ``template`` where a kind has several.
    """
    large_print = complaint.customer.wants_large_print
    page = render_to_string(template or TEMPLATES[kind], {
        **context,
        "kind": kind,
        "event": event,
        "provider": settings.PROVIDER,
        "letter_date": uk_today(),
        "large_print": large_print,
    })
    return PostalLetter.objects.create(complaint=complaint, kind=kind, event=event, html=page, large_print=large_print)


def render_pdf(page):
    """Return the PDF bytes of a letter's HTML, fetching nothing outside it.

    A letter quotes what customers and staff typed; were a URL ever to reach its HTML,
    WeasyPrint's default fetcher would read ``file://`` paths of this server, or the
    network, into the PDF. Only ``data:`` URLs, whose content is in the letter, are read.
    """
    from weasyprint import HTML  # imported here: it takes a second, and only letters need it
    from weasyprint.urls import URLFetcher

    return HTML(string=page, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def pdf_response(letter):
    """Return a letter's PDF as a private, uncached page (made and stored the first time)."""
    response = HttpResponse(ensure_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter.filename}"'
    response["X-Content-SHA256"] = letter.pdf_sha256
    patch_cache_control(response, private=True, no_store=True)
    return response


def ensure_pdf(letter):
    """Return a letter's PDF, making and storing it (with its hash) the first time.

    Serves both kinds of letter: a ``PostalLetter`` here and the ombudsman's ``Letter``.
    The first PDF stored wins (a compare-and-swap on the empty hash); a concurrent maker
    takes the stored one, so a letter only ever has one PDF.
    """
    if letter.pdf_sha256:
        return bytes(letter.pdf)
    model = type(letter)
    pdf = render_pdf(letter.html)
    digest = model.hash_of(pdf)
    stored = model.objects.filter(pk=letter.pk, pdf_sha256="").update(pdf=pdf, pdf_sha256=digest)
    if not stored:
        letter.refresh_from_db(fields=["pdf", "pdf_sha256"])
        return bytes(letter.pdf)
    letter.pdf, letter.pdf_sha256 = pdf, digest
    return pdf
