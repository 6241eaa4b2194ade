"""The print queue: letters and acknowledgements to post, with their PDFs, marked as posted.

ADR and deadlock letters come from the ombudsman app, acknowledgements and other letters
by post from the complaints app; each is marked as posted through its own app's service.
Every letter waiting can also be printed at once, from one PDF of their stored PDFs, and
then marked as posted together.
"""

from io import BytesIO
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST
from pypdf import PdfWriter

from complaints import access, printing
from complaints import services as complaint_services
from complaints.models import AccessKind, Complaint, PostalLetter
from desk import permissions
from ombudsman import services as adr_services
from ombudsman.models import Letter
from ombudsman.templatetags.ombudsman import letters_waiting_to_print

# Each source's letters, the service that marks one as posted, and the columns a PDF is made
# from (left unread: a stored PDF is never made again).
SOURCES = {
    "letter": (Letter, adr_services.mark_letter_posted, ("html", "text")),
    "postal": (PostalLetter, complaint_services.mark_letter_posted, ("html",)),
}


def _check(request):
    if not permissions.can_use_print_queue(request.user):
        raise PermissionDenied


def waiting(*, chosen=None, with_pdf=False):
    """Return the letters waiting to be printed, oldest first, as the queue shows them.

    ``chosen`` (ids by source) keeps only those letters; ``with_pdf`` reads their stored PDFs.
    """
    items = []
    for source, letters in letters_waiting_to_print().items():
        if chosen is not None:
            letters = letters.filter(pk__in=chosen[source])
        unread = SOURCES[source][2] if with_pdf else ("pdf", *SOURCES[source][2])
        for letter in letters.select_related("complaint__customer").defer(*unread):
            title = letter.get_kind_display() if source == "letter" else f"{letter.get_kind_display()} letter"
            items.append({"source": source, "letter": letter, "title": title, "since": letter.created_at,
                          "large_print": letter.large_print})
    items.sort(key=lambda item: (item["since"], item["source"], item["letter"].pk))
    return items


def _names(items):
    return urlencode([(item["source"], item["letter"].pk) for item in items])


def _chosen(data):
    """Return the letters' ids a page carried, by source; anything but an id is left out."""
    return {source: [int(value) for value in data.getlist(source) if value.isdecimal() and len(value) < 19]
            for source in SOURCES}


def queue(request, model_admin):
    """List what waits to be printed and posted, oldest first."""
    _check(request)
    return TemplateResponse(request, "admin/desk/print_queue.html", {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Print queue",
        "items": waiting(),
        "can_post": {source: request.user.has_perm(perm) for source, perm in permissions.PRINT_QUEUE_POST.items()},
    })


def _letter(source, pk):
    if source not in SOURCES:
        raise Http404("No such letter.")
    return get_object_or_404(SOURCES[source][0].objects.select_related("complaint"), pk=pk)


def pdf(request, source, pk):
    """Serve a letter's PDF for printing."""
    _check(request)
    letter = _letter(source, pk)
    access.record_access(staff=request.user, kind=AccessKind.LETTER_PDF, complaint_ids=[letter.complaint_id])
    return printing.pdf_response(letter)


@require_POST
def mark_posted(request, source, pk):
    """Record that a letter was printed and posted (its service writes the timeline event)."""
    _check(request)
    if source not in SOURCES or not request.user.has_perm(permissions.PRINT_QUEUE_POST[source]):
        raise PermissionDenied
    letter = _letter(source, pk)
    if SOURCES[source][1](letter=letter, actor=request.user):
        messages.success(request, f"{letter} marked as posted.")
    else:
        messages.info(request, f"{letter} was not waiting to be posted.")
    return redirect("admin:desk_print_queue")


def print_all(request):
    """Show the letters to print together, with their one PDF and the button to mark them as posted.

    The page's address names the letters, fixed when it is first opened: reloading it, its PDF
    and its button keep to those letters, and one that arrives later waits for the next round.
    """
    _check(request)
    chosen = _chosen(request.GET)
    if not any(chosen.values()):
        items = waiting()
        if items:
            return redirect(f"{reverse('admin:desk_print_all')}?{_names(items)}")
    else:
        items = waiting(chosen=chosen)
    sources = {item["source"] for item in items}
    return TemplateResponse(request, "admin/desk/print_all.html", {
        **admin.site.each_context(request),
        "opts": Complaint._meta,
        "title": "Print all waiting",
        "items": items,
        "names": _names(items),
        "asked": any(chosen.values()),
        "can_post": all(request.user.has_perm(permissions.PRINT_QUEUE_POST[source]) for source in sources),
    })


def print_all_pdf(request):
    """Serve one PDF of the chosen letters still waiting: their stored PDFs joined, oldest first.

    Nothing is made again: each letter's PDF is the one stored (a letter never downloaded
    before gets its PDF made and stored now, as its own download would). Each letter's
    complaint is recorded in the access log.
    """
    _check(request)
    chosen = _chosen(request.GET)
    items = waiting(chosen=chosen, with_pdf=True) if any(chosen.values()) else []
    if not items:
        messages.info(request, "None of those letters is waiting to be printed any more.")
        return redirect("admin:desk_print_all")
    access.record_access(staff=request.user, kind=AccessKind.LETTER_PDF,
                         complaint_ids=sorted({item["letter"].complaint_id for item in items}))
    joined = PdfWriter()
    for item in items:
        joined.append(BytesIO(printing.ensure_pdf(item["letter"])))
    content = BytesIO()
    joined.write(content)
    response = HttpResponse(content.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="print-queue-{len(items)}-letters.pdf"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_POST
def mark_all_posted(request):
    """Mark as posted the letters the agent printed together, and only those.

    Each goes through its own app's service, which leaves alone a letter no longer waiting
    (posted already, by a colleague or a second press of the button).
    """
    _check(request)
    chosen = _chosen(request.POST)
    if any(ids and not request.user.has_perm(permissions.PRINT_QUEUE_POST[source]) for source, ids in chosen.items()):
        raise PermissionDenied
    letters = [(SOURCES[source][1], letter) for source, ids in chosen.items()
               for letter in SOURCES[source][0].objects.filter(pk__in=ids).select_related("complaint")]
    posted = sum(mark(letter=letter, actor=request.user) for mark, letter in letters)
    left = len(letters) - posted
    if posted:
        messages.success(request, f"{posted} letter{pluralize(posted)} marked as posted.")
    if left:
        messages.info(request, f"{left} letter{pluralize(left)} {pluralize(left, 'was,were')} already marked as "
                               "posted, so not marked again.")
    if not letters:
        messages.error(request, "No letters were chosen to mark as posted: print them again from the print queue.")
    return redirect("admin:desk_print_queue")
