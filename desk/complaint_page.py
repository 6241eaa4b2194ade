"""A complaint's page in the admin, and the actions on it.

Each action is a small form posting to its own URL; it checks the permission
``desk.permissions`` names, calls one service (which writes the timeline event), and says
what happened. A refusal by the rules comes back to the agent as an error message, with
what they typed kept.

Every form carries the latest timeline event the page showed. An action posted from a page
that a customer or staff member has changed since (another agent's reply, the customer's
message, or the same form sent twice) is refused and the page shows what changed; the
sweep's own events do not count. Actions that send the customer a final position (deadlock,
the final answer) first show what will be sent and ask to confirm.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from complaints import access, services, uploads
from complaints.models import (
    BOOKKEEPING_KINDS,
    AccessKind,
    Attachment,
    Complaint,
    Event,
    OutgoingEmail,
    PostalLetter,
    Status,
)
from desk import forms, permissions, queue, saved_replies
from desk.changelist import clock_badge, days_open, staff_for_assignment
from ombudsman import services as adr_services
from ombudsman.letters import LetterContentError
from ombudsman.models import Letter, Referral


class Refused(Exception):
    """Raised when the desk's rules refuse an action the agent asked for."""


@dataclass(frozen=True)
class Action:
    label: str
    form: type
    run: Any
    available: Any = None
    danger: bool = False
    # Shows what the customer will be sent, for the agent to confirm, before running.
    preview: Any = None

    def is_available(self, complaint, referral):
        # A merged duplicate is only a pointer: its survivor is worked on instead.
        if complaint.status == Status.MERGED:
            return False
        return self.available is None or self.available(complaint, referral)


def _assign(request, complaint, referral, form):
    if not permissions.may_assign(request.user, complaint):
        raise Refused("Only a complaint manager can take a complaint from another agent.")
    agent = form.cleaned_data["agent"]
    services.assign_complaint(complaint=complaint, agent=agent, actor=request.user)
    return f"Assigned to {agent.full_name}." if agent else "The complaint is now unassigned."


def _acknowledge(request, complaint, referral, form):
    services.change_status(complaint=complaint, to=Status.ACKNOWLEDGED, actor=request.user)
    return "Acknowledged."


def _reply(request, complaint, referral, form):
    services.add_staff_message(complaint=complaint, agent=request.user, body=form.cleaned_data["body"])
    return "Reply sent to the customer."


def _note(request, complaint, referral, form):
    services.add_internal_note(complaint=complaint, agent=request.user, body=form.cleaned_data["body"])
    return "Internal note added."


def _answered(request, complaint, referral, form):
    services.record_answer_elsewhere(complaint=complaint, agent=request.user, note=form.cleaned_data["note"])
    return "Recorded as answered; the complaint no longer waits for an answer on the desk."


def _request_information(request, complaint, referral, form):
    services.request_information(complaint=complaint, agent=request.user, body=form.cleaned_data["body"])
    return "Asked the customer for information; the complaint waits for their reply."


def _propose(request, complaint, referral, form):
    services.propose_resolution(complaint=complaint, agent=request.user, proposal=form.cleaned_data["proposal"],
                                **form.outcome())
    return "Resolution proposed; the customer can accept or reject it on their page."


def _resolve(request, complaint, referral, form):
    services.resolve_complaint(complaint=complaint, agent=request.user, summary=form.cleaned_data["summary"],
                               **form.outcome())
    return "Resolved; the final answer, with how to go to the ombudsman, is on its way to the customer."


def _deadlock(request, complaint, referral, form):
    letter = adr_services.declare_deadlock(complaint=complaint, actor=request.user, reason=form.cleaned_data["reason"])
    if letter is None:
        return "In deadlock. No letter: this customer has no right to ADR."
    return f"In deadlock; the deadlock letter goes by {letter.get_delivery_display().lower()}."


def _reopen(request, complaint, referral, form):
    services.reopen_complaint(complaint=complaint, actor=request.user, reason=form.cleaned_data["reason"])
    return "Reopened; its clock carries on from when it was received."


def _change_received_date(request, complaint, referral, form):
    # The service refuses a date that would move ADR later or lies in the future (a
    # ValidationError, shown on the form with what the agent typed, as for every action).
    data = form.cleaned_data
    before = complaint.adr_opens_at
    complaint = services.change_received_date(complaint=complaint, received_at=data["received_at"],
                                              reason=data["reason"], actor=request.user)
    if complaint.adr_opens_at < before:
        opens_on = complaint.adr_deadline_date
        return f"Date received corrected; ADR now opens earlier, on {opens_on.day} {opens_on:%B %Y}."
    return "Date received corrected; the day ADR opens is unchanged."


def _record_referral(request, complaint, referral, form):
    adr_services.record_referral(complaint=complaint, actor=request.user, referred_on=form.cleaned_data["referred_on"],
                                 case_reference=form.cleaned_data["case_reference"])
    return "Referral to the scheme recorded."


def _record_decision(request, complaint, referral, form):
    data = form.cleaned_data
    adr_services.record_decision(
        referral=referral, actor=request.user, decision=data["decision"], decided_on=data["decided_on"],
        apology=data["apology"], explanation=data["explanation"], action=data["action"],
        award_amount=data["award_amount"],
    )
    return "The scheme's decision is recorded."


def _preview_resolve(complaint, form):
    return services.preview_final_answer(complaint=complaint, summary=form.cleaned_data["summary"], **form.outcome())


def _preview_deadlock(complaint, form):
    letter = adr_services.preview_deadlock_letter(complaint=complaint, reason=form.cleaned_data["reason"])
    if letter is None:
        return None
    by_email = letter.to_email != ""
    return {"by": "email" if by_email else "post", "letter": letter,
            "to": letter.to_email if by_email else complaint.customer.postal_address,
            "subject": "", "text": letter.text}


def _can_move(status):
    return lambda complaint, referral: complaint.can_move_to(status)


ACTIONS = {
    "assign": Action("Assign", forms.AssignForm, _assign),
    "acknowledge": Action("Acknowledge", forms.ConfirmForm, _acknowledge, _can_move(Status.ACKNOWLEDGED)),
    "reply": Action("Reply to the customer", forms.MessageForm, _reply),
    "note": Action("Add an internal note", forms.NoteForm, _note),
    "answered": Action("Mark as answered (no message)", forms.AnsweredForm, _answered,
                       lambda complaint, referral: complaint.awaiting_reply_since is not None),
    "request_information": Action("Ask the customer for information", forms.MessageForm, _request_information,
                                  _can_move(Status.AWAITING_CUSTOMER)),
    "propose": Action("Propose a resolution", forms.ProposeForm, _propose, _can_move(Status.RESOLUTION_PROPOSED)),
    "resolve": Action("Resolve (final answer)", forms.ResolveForm, _resolve, _can_move(Status.RESOLVED),
                      preview=_preview_resolve),
    "deadlock": Action("Put into deadlock", forms.DeadlockForm, _deadlock, _can_move(Status.DEADLOCK), danger=True,
                       preview=_preview_deadlock),
    "reopen": Action("Reopen", forms.ReasonForm, _reopen,
                     lambda complaint, referral: complaint.is_closed and complaint.can_move_to(Status.INVESTIGATING)),
    "change_received_date": Action("Correct the date received", forms.ReceivedDateForm, _change_received_date),
    "record_referral": Action("Record an ombudsman referral", forms.ReferralForm, _record_referral,
                              lambda complaint, referral: referral is None and complaint.is_adr_eligible()),
    "record_decision": Action("Record the scheme's decision", forms.DecisionForm, _record_decision,
                              lambda complaint, referral: referral is not None and not referral.decision),
}


def _complaint(model_admin, request, pk):
    queryset = model_admin.get_queryset(request).select_related("customer", "assigned_to", "root_cause", "merged_into")
    complaint = get_object_or_404(queryset, pk=pk)
    if not model_admin.has_view_permission(request, complaint):
        raise PermissionDenied
    return complaint


def _referral(complaint):
    return Referral.objects.filter(complaint=complaint).select_related("scheme").first()


def show(request, model_admin, pk, bound=None, changes=None):
    """Render the complaint's page, with ``bound`` (name, form) shown open with its errors.

    ``changes`` are the events that made the agent's page stale, shown above the actions.
    """
    if not str(pk).isdecimal():  # what int() reads: "²" is a digit but no number
        raise Http404("No such complaint.")
    if request.method == "POST" and bound is None:
        raise PermissionDenied  # a complaint is never saved from a form; the actions post elsewhere
    complaint = _complaint(model_admin, request, pk)
    if bound is None:
        # The page shows the duplicates merged into the complaint too. A page shown again with
        # an action's errors was logged when it was opened.
        access.record_access(staff=request.user, kind=AccessKind.COMPLAINT_PAGE,
                             complaint_ids=[complaint.pk, *complaint.merged.values_list("pk", flat=True)])
    referral = _referral(complaint)
    actions = []
    for name, action in ACTIONS.items():
        if not permissions.can(request.user, name) or not action.is_available(complaint, referral):
            continue
        form = bound[1] if bound and bound[0] == name else action.form(prefix=name)
        actions.append({"name": name, "action": action, "form": form, "open": bool(bound and bound[0] == name),
                        "url": reverse("admin:desk_act", args=[complaint.pk, name])})
    # What the agent typed in an action no longer possible here, so that it is not lost.
    unsent = None
    if bound and bound[0] not in {item["name"] for item in actions}:
        unsent = [(field.label, value) for field in bound[1] if isinstance(value := field.value(), str) and value]
    # The complaint's own records and those of the duplicates merged into it, as one.
    ids = complaint.timeline_ids()
    events = list(Event.objects.filter(complaint_id__in=ids).select_related("actor")
                  .annotate(on_complaint=F("complaint__tracking_number")).prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "id"))
    ))
    letters = list(Letter.objects.filter(complaint_id__in=ids).defer("pdf", "html").order_by("letter_date", "pk"))
    latest_letter = letters[-1] if letters else None
    band, words = clock_badge(complaint, latest_letter.get_status_display() if latest_letter else None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Complaint._meta,
        "title": f"Complaint {complaint.tracking_number}",
        "complaint": complaint,
        "status_words": queue.status_label(complaint.status),
        "customer": complaint.customer,
        "clock": {"band": band, "words": words, "days_open": days_open(complaint),
                  "may_refer": complaint.is_adr_eligible(), "latest_letter": latest_letter},
        "events": events,
        "seen_event": max((event.pk for event in events if event.complaint_id == complaint.pk), default=0),
        "changes": changes,
        "unsent": unsent,
        "others_here": access.others_here(complaint, staff=request.user),
        "saved_replies": (saved_replies.for_complaint(complaint, agent=request.user)
                          if {item["name"] for item in actions} & {"reply", "request_information"} else []),
        "attachments": Attachment.objects.filter(complaint_id__in=ids).select_related("uploaded_by"),
        "letters": letters,
        "postal_letters": PostalLetter.objects.filter(complaint_id__in=ids).defer("pdf", "html"),
        "referral": referral,
        "emails": OutgoingEmail.objects.filter(complaint_id__in=ids).defer("html_body", "text_body")
        .order_by("-created_at", "-id"),
        "merged": list(complaint.merged.order_by("received_at")),
        "can_merge": permissions.can(request.user, "merge") and not complaint.is_closed,
        "proposal": services.current_proposal(complaint),
        "actions": actions,
        "can_take": permissions.may_assign(request.user, complaint)
        and staff_for_assignment().filter(pk=request.user.pk).exists(),
        "can_download": permissions.can(request.user, "download_attachment"),
        "who_viewed": (access.who_viewed(complaint)
                       if request.user.has_perm("complaints.view_complaintaccess") else None),
    }
    return TemplateResponse(request, "admin/desk/complaint.html", context)


class Stale(Exception):
    """Raised when the page an action was sent from is out of date; carries what changed."""

    def __init__(self, changes):
        super().__init__("The complaint changed since the page was loaded.")
        self.changes = changes


def _changes_since(complaint, seen_event):
    """Return the customer's and staff's events added after the page's latest one.

    The portal's own bookkeeping (letters written and posted, emails sent) does not count.
    """
    seen = int(seen_event) if seen_event.isdecimal() else 0
    return list(complaint.events.filter(pk__gt=seen, actor__isnull=False).exclude(kind__in=BOOKKEEPING_KINDS)
                .select_related("actor"))


@require_POST
def act(request, model_admin, pk, action):
    """Take one action on a complaint through its service, then go back to its page.

    The page the action came from is checked first: what changed since it was loaded is shown
    before anything else is said about the action, so nothing the agent typed is lost.
    """
    if action not in ACTIONS:
        raise Http404("No such action.")
    if not permissions.can(request.user, action):
        raise PermissionDenied
    complaint = _complaint(model_admin, request, pk)
    referral = _referral(complaint)
    spec = ACTIONS[action]
    form = spec.form(request.POST, prefix=action)
    seen_event = request.POST.get("seen_event", "")
    try:
        with transaction.atomic():
            # Locked, so that of two submits from one page the second sees the first's event.
            list(Complaint.objects.select_for_update().filter(pk=complaint.pk).values_list("pk"))
            if not seen_event.isdecimal():
                raise Refused("This page is out of date: reload it, then take the action again.")
            changes = _changes_since(complaint, seen_event)
            if changes:
                raise Stale(changes)
            if not spec.is_available(complaint, referral):
                raise Refused(f"“{spec.label}” is not possible on this complaint now.")
            if not form.is_valid():
                messages.error(request, "Please correct the errors below.")
                return show(request, model_admin, pk, bound=(action, form))
            if "edit" in request.POST:
                return show(request, model_admin, pk, bound=(action, form))
            if spec.preview and request.POST.get("confirm") != "yes":
                return _confirm(request, model_admin, complaint, action, form, seen_event)
            done = spec.run(request, complaint, referral, form)
    except Stale as stale:
        messages.error(request, "This complaint changed since you opened it, so nothing was done. Read what "
                                "changed (below), then send again if it still stands: what you typed is kept.")
        return show(request, model_admin, pk, bound=(action, form), changes=stale.changes)
    except (services.TransitionNotAllowed, LetterContentError, Refused) as error:
        messages.error(request, str(error))
        return show(request, model_admin, pk, bound=(action, form))
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        messages.error(request, "The rules do not allow this; see below.")
        return show(request, model_admin, pk, bound=(action, form))
    messages.success(request, done)
    return redirect("admin:complaints_complaint_change", complaint.pk)


def _confirm(request, model_admin, complaint, action, form, seen_event):
    """Show what the action will send the customer, with the agent's answers kept to confirm."""
    spec = ACTIONS[action]
    return TemplateResponse(request, "admin/desk/confirm_action.html", {
        **model_admin.admin_site.each_context(request),
        "opts": Complaint._meta,
        "title": f"{spec.label}: check what the customer will be sent",
        "complaint": complaint,
        "action": spec,
        "form": form,
        "url": reverse("admin:desk_act", args=[complaint.pk, action]),
        "seen_event": seen_event,
        "preview": spec.preview(complaint, form),
    })


def attachment(request, pk, attachment_id):
    """Serve any attachment of a complaint, internal notes' included, to staff allowed to see them."""
    if not permissions.can(request.user, "download_attachment"):
        raise PermissionDenied
    attachment = get_object_or_404(Attachment, pk=attachment_id, complaint_id=pk)
    response = uploads.download(attachment)
    access.record_access(staff=request.user, kind=AccessKind.ATTACHMENT,
                                  complaint_ids=[attachment.complaint_id])
    return response
