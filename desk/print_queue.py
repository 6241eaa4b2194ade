"""The print queue: letters and acknowledgements to post, with their PDFs, marked as posted.

ADR and deadlock letters come from the ombudsman app, acknowledgements and other letters
by post from the complaints app; each is marked as posted through its own app's service.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from complaints import access, printing
from complaints import services as complaint_services
from complaints.models import AccessKind, PostalLetter, PostStatus
from desk import permissions
from ombudsman import services as adr_services
from ombudsman.models import Letter, LetterStatus

SOURCES = {
    "letter": (Letter, LetterStatus.PRINT_QUEUED, printing.ensure_pdf, adr_services.mark_letter_posted),
    "postal": (PostalLetter, PostStatus.PRINT_QUEUED, printing.ensure_pdf, complaint_services.mark_letter_posted),
}


def _check(request):
    if not permissions.can_use_print_queue(request.user):
        raise PermissionDenied


def queue(request, model_admin):
    """List what waits to be printed and posted, oldest first."""
    _check(request)
    related = ("complaint__customer",)
    items = [
        *({"source": "letter", "letter": letter, "title": letter.get_kind_display(), "since": letter.created_at}
          for letter in Letter.objects.filter(status=LetterStatus.PRINT_QUEUED)
          .select_related(*related).defer("pdf", "html", "text")),
        *({"source": "postal", "letter": letter, "title": f"{letter.get_kind_display()} letter",
           "since": letter.created_at}
          for letter in PostalLetter.objects.filter(status=PostStatus.PRINT_QUEUED)
          .select_related(*related).defer("pdf", "html")),
    ]
    items.sort(key=lambda item: item["since"])
    return TemplateResponse(request, "admin/desk/print_queue.html", {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Print queue",
        "items": items,
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
    if SOURCES[source][3](letter=letter, actor=request.user):
        messages.success(request, f"{letter} marked as posted.")
    else:
        messages.info(request, f"{letter} was not waiting to be posted.")
    return redirect("admin:desk_print_queue")
