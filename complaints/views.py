"""The customer's complaint pages. Each view checks access, then calls one service function."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from complaints import access, services, uploads
from complaints.access import to_the_desk, visible_complaint
from complaints.forms import (
    ComplaintForm,
    DeadlockRequestForm,
    RejectResolutionForm,
    ReplyForm,
    TrackForm,
    WithdrawForm,
)
from complaints.kept_timelines import CustomerTimeline
from complaints.models import AccessKind, Attachment, Complaint, Event
from complaints.tracking import normalise_tracking_number
from complaints_portal.ratelimit import rate_limit
from ombudsman.models import Letter, Scheme

COMPLAINTS_PER_PAGE = 20


def _own_complaint(request, tracking_number):
    """Return a complaint the user may act on as its customer.

    A merged duplicate's number acts on the complaint it was merged into (the same customer's),
    so a reply sent from an old page is kept there rather than refused.
    """
    complaint = visible_complaint(request, tracking_number)
    if complaint.customer_id != request.user.pk:
        # Only staff get here: they act on complaints from the desk, never as the customer.
        raise PermissionDenied
    return services.survivor_of(complaint)


@login_required
def mine(request):
    if request.user.is_staff:
        return redirect("admin:index")
    complaints = (Complaint.objects.filter(customer=request.user).select_related("merged_into")
                  .order_by("-received_at", "-id"))
    page = Paginator(complaints, COMPLAINTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "complaints/mine.html", {"page": page})


@login_required
def new(request):
    if request.user.is_staff:
        messages.info(request, "Staff log complaints for customers in the admin.")
        return redirect("admin:index")
    form = ComplaintForm(request.POST, request.FILES) if request.method == "POST" else ComplaintForm()
    if form.is_valid():
        data = form.cleaned_data
        complaint = services.file_complaint(
            customer=request.user, product=data["product"], category=data["category"],
            description=data["description"], desired_outcome=data["desired_outcome"],
            statement_date=data["statement_date"], attachments=data["attachments"],
        )
        return redirect("complaints:filed", complaint.tracking_number)
    return render(request, "complaints/new.html", {"form": form})


@login_required
def filed(request, tracking_number):
    complaint = visible_complaint(request, tracking_number)
    if complaint.customer_id != request.user.pk:
        return to_the_desk(complaint)
    return render(request, "complaints/filed.html", {
        "complaint": complaint,
        "acknowledgement": services.acknowledgement(complaint),
        "scheme": Scheme.objects.provider_scheme(),
    })


@login_required
def detail(request, tracking_number):
    canonical = normalise_tracking_number(tracking_number)
    if canonical is None:
        raise Http404("No such complaint.")
    if canonical != tracking_number:
        return redirect("complaints:detail", canonical)
    complaint = visible_complaint(request, canonical)
    if complaint.customer_id != request.user.pk:
        return to_the_desk(complaint)
    if complaint.merged_into_id:
        # A duplicate's number leads its customer to the complaint it was merged into.
        return redirect(services.survivor_of(complaint))
    return _render_detail(request, complaint)


def _render_detail(request, complaint, *, reply_form=None, reject_form=None, deadlock_form=None):
    # The complaint's timeline is its own and that of the duplicates merged into it, by time.
    # The page only says whether the customer or our team acted: actor_id is enough, no user row.
    events = list(Event.objects.filter(complaint_id__in=complaint.timeline_ids()).for_customer())
    # Every complaint has its filing event, so the events name the duplicates: a complaint with
    # none merged into it reads nothing more.
    merged_ids = {event.complaint_id for event in events} - {complaint.pk}
    joined = _joined(merged_ids) if merged_ids else {}
    # One read of the attachments serves both the page's list and the timeline.
    attachments = list(Attachment.objects.filter(complaint_id__in=[complaint.pk, *merged_ids]).for_customer())
    timeline = CustomerTimeline(complaint=complaint, events=events, attachments=attachments,
                                duplicates={pk: item["complaint"] for pk, item in joined.items()})
    return render(request, "complaints/detail.html", {
        "complaint": complaint,
        "timeline": timeline,
        "attachments": attachments,
        "joined": list(joined.values()),
        "scheme": Scheme.objects.provider_scheme(),
        "reply_form": reply_form or ReplyForm(),
        "proposal": services.current_proposal(complaint),
        "reject_form": reject_form or RejectResolutionForm(),
        "can_ask_for_deadlock": services.may_request_deadlock_letter(complaint),
        "deadlock_form": deadlock_form or DeadlockRequestForm(),
    })


def _joined(complaint_ids):
    """Return the duplicates merged into a complaint, by id: each with its letters, oldest first."""
    joined = {duplicate.pk: {"complaint": duplicate, "letters": []}
              for duplicate in Complaint.objects.filter(pk__in=complaint_ids).order_by("received_at", "pk")}
    letters = Letter.objects.filter(complaint_id__in=complaint_ids).defer("pdf", "html").order_by("created_at", "pk")
    for letter in letters:
        joined[letter.complaint_id]["letters"].append(letter)
    return joined


def _act(request, complaint, action, success, **kwargs):
    """Do something to the complaint as its customer, say how it went and go back to it."""
    try:
        action(complaint=complaint, customer=request.user, **kwargs)
    except services.TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(complaint)


@require_POST
@login_required
def reply(request, tracking_number):
    complaint = _own_complaint(request, tracking_number)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, complaint, reply_form=form)
    return _act(request, complaint, services.add_customer_message,
                "Thank you: your reply has been added to your complaint.",
                body=form.cleaned_data["body"], attachments=form.cleaned_data["attachments"])


@require_POST
@login_required
def accept_resolution(request, tracking_number):
    complaint = _own_complaint(request, tracking_number)
    return _act(request, complaint, services.accept_resolution,
                "Thank you: you accepted our proposal and your complaint is resolved.")


@require_POST
@login_required
def reject_resolution(request, tracking_number):
    complaint = _own_complaint(request, tracking_number)
    form = RejectResolutionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, complaint, reject_form=form)
    return _act(request, complaint, services.reject_resolution,
                "Thank you: your complaint stays open and we will look at it again.",
                reason=form.cleaned_data["reason"])


@require_POST
@login_required
def request_deadlock_letter(request, tracking_number):
    complaint = _own_complaint(request, tracking_number)
    form = DeadlockRequestForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, complaint, deadlock_form=form)
    return _act(request, complaint, services.request_deadlock_letter,
                "We have your request for a deadlock letter and will reply soon.",
                reason=form.cleaned_data["reason"])


@login_required
def withdraw(request, tracking_number):
    complaint = _own_complaint(request, tracking_number)
    if complaint.is_closed:
        messages.info(request, "This complaint is already closed.")
        return redirect(complaint)
    form = WithdrawForm(request.POST) if request.method == "POST" else WithdrawForm()
    if form.is_valid():
        return _act(request, complaint, services.withdraw_complaint, "Your complaint has been withdrawn.",
                    reason=form.cleaned_data["reason"])
    return render(request, "complaints/withdraw.html", {"complaint": complaint, "form": form})


@login_required
def attachment(request, tracking_number, pk):
    if unverified := access.second_factor_first(request):
        return unverified
    complaint = visible_complaint(request, tracking_number)
    # The complaint's page lists the files of the duplicates merged into it too.
    attachment = get_object_or_404(Attachment.objects.filter(complaint_id__in=complaint.timeline_ids()).for_customer(),
                                   pk=pk)
    if complaint.customer_id != request.user.pk:
        # Only staff get here (visible_complaint let them in): those who may read attachments.
        if not request.user.has_perm("complaints.view_attachment"):
            raise PermissionDenied
        response = uploads.download(attachment)
        access.record_access(staff=request.user, kind=AccessKind.ATTACHMENT, complaint_ids=[attachment.complaint_id])
        return response
    return uploads.download(attachment)


@rate_limit("track")
def track(request):
    form = TrackForm(request.POST) if request.method == "POST" else TrackForm()
    asked_for = form.complaint if form.is_valid() else None
    # A duplicate's number shows the complaint it was merged into (the same customer's).
    complaint = services.survivor_of(asked_for) if asked_for else None
    return render(request, "complaints/track.html", {
        "form": form, "complaint": complaint, "asked_for": asked_for, "scheme": Scheme.objects.provider_scheme(),
        "acknowledgement": services.acknowledgement(complaint) if complaint else None,
        "last_update": services.last_update(complaint) if complaint else None,
    })
