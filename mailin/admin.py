"""The desk's "Emails received": mail to review first, each message's page, and the agents' actions.

A message's page shows its headers and its text as plain text, never its HTML. Its original
(.eml) can be downloaded. Opening either for a message that belongs to a complaint records
an access to that complaint. Agents attach a message to a complaint, make a complaint from it
or dismiss it, each a small form posting to its own URL and calling one service; a refusal
comes back on the form with what was typed kept.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat
from django.utils.cache import patch_cache_control
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

import clock
from accounts.admin_site import PortalModelAdmin
from accounts.models import CustomerType
from complaints import access
from complaints.admin_base import BoundedCountAdmin
from complaints.models import AccessKind, Complaint
from complaints.tracking import normalise_tracking_number
from mailin import parse, services
from mailin.models import InboundMessage, MailStatus

# What a message's page records in the access log when the message belongs to a complaint.
ACCESS_KIND = AccessKind.EMAIL_RECEIVED
VIEW, CHANGE, ADD = "complaints.view_complaint", "complaints.change_complaint", "complaints.add_complaint"
NEW, OTHER = "new", "other"


class StatusFilter(admin.SimpleListFilter):
    """Mail to review unless the agent asks for another status or searches."""

    title = "status"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [(MailStatus.REVIEW, MailStatus.REVIEW.label),
                *((value, label) for value, label in MailStatus.choices if value != MailStatus.REVIEW),
                (self.ALL, "All")]

    def current(self, request):
        return self.value() or (self.ALL if request.GET.get("q") else MailStatus.REVIEW)

    def choices(self, changelist):
        current = self.value() or (self.ALL if changelist.query else MailStatus.REVIEW)
        for value, label in self.lookup_choices:
            yield {"selected": current == value, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}

    def queryset(self, request, queryset):
        value = self.current(request)
        return queryset.filter(status=value) if value in MailStatus.values else queryset


class AttachForm(forms.Form):
    tracking_number = forms.CharField(label="Tracking number of the complaint", max_length=40,
                                      help_text="The email becomes the customer's message on its timeline.")

    def clean_tracking_number(self):
        canonical = normalise_tracking_number(self.cleaned_data["tracking_number"])
        if canonical is None:
            raise forms.ValidationError("This is not a tracking number we gave: check it (its last character is "
                                        "a check on the others).")
        complaint = Complaint.objects.filter(tracking_number=canonical).first()
        if complaint is None:
            raise forms.ValidationError(f"No complaint has the tracking number {canonical}.")
        return complaint


class MakeComplaintForm(forms.Form):
    customer = forms.ChoiceField(label="For", widget=forms.RadioSelect)
    customer_email = forms.EmailField(label="Another customer's email address", required=False,
                                      help_text="Only when you chose another customer on record.")
    full_name = forms.CharField(label="New customer's name", max_length=200, required=False)
    customer_type = forms.ChoiceField(label="Domestic customer or business?", choices=CustomerType.choices,
                                      initial=CustomerType.DOMESTIC, help_text="You can correct it later.")
    business_workers = forms.IntegerField(label="Number of workers (a business)", min_value=0, required=False,
                                          help_text="Including owners, employees and volunteers.")

    def __init__(self, *args, matched=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.matched = matched
        choices = [(str(matched.pk), f"{matched.full_name} <{matched.email}>, on record")] if matched else []
        self.fields["customer"].choices = [
            *choices, (NEW, "A new customer with the sender's address (invited to claim an account)"),
            (OTHER, "Another customer on record"),
        ]
        self.fields["customer"].initial = choices[0][0] if choices else NEW

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("customer")
        if choice == OTHER:
            cleaned["customer"] = services.known_customer(cleaned.get("customer_email") or "")
            if cleaned["customer"] is None:
                self.add_error("customer_email", "No customer on record has this email address.")
        elif choice == NEW:
            cleaned["customer"] = None
        elif choice is not None:
            cleaned["customer"] = self.matched
        return cleaned

    def arguments(self):
        data = self.cleaned_data
        return {"customer": data["customer"], "full_name": data["full_name"], "customer_type": data["customer_type"],
                "business_workers": data["business_workers"]}


class DismissForm(forms.Form):
    reason = forms.CharField(label="Why it is not for a complaint", max_length=2_000,
                             widget=forms.Textarea(attrs={"rows": 2}))


def _attach(request, message, form):
    event = services.attach_to_complaint(message=message, complaint=form.cleaned_data["tracking_number"],
                                         actor=request.user)
    return f"Added to {event.complaint.tracking_number} as the customer's message."


def _make(request, message, form):
    complaint = services.make_complaint(message=message, actor=request.user, **form.arguments())
    return f"Complaint {complaint.tracking_number} made, received when the email arrived."


def _dismiss(request, message, form):
    services.dismiss(message=message, actor=request.user, reason=form.cleaned_data["reason"])
    return "Dismissed. The email is kept."


# name: (label, form, service call, permission)
ACTIONS = {
    "attach": ("Attach to a complaint", AttachForm, _attach, CHANGE),
    "make": ("Make a complaint", MakeComplaintForm, _make, ADD),
    "dismiss": ("Dismiss: not for a complaint", DismissForm, _dismiss, CHANGE),
}


@admin.register(InboundMessage)
class InboundMessageAdmin(PortalModelAdmin, BoundedCountAdmin):
    list_display = ["arrived", "from_address", "subject", "status", "short_reason"]
    list_filter = [StatusFilter]
    search_fields = ["from_address", "subject"]
    search_help_text = "The sender's address or words of the subject."
    # Newest first, as the partial index on arrival for mail to review serves it.
    ordering = ["-arrived_at", "-pk"]
    list_per_page = 50

    class Media:
        css = {"all": ["css/desk.css"]}

    @admin.display(description="arrived", ordering="arrived_at")
    def arrived(self, message):
        return dateformat.format(clock.uk_time(message.arrived_at), "j M Y, H:i")

    @admin.display(description="reason")
    def short_reason(self, message):
        return Truncator(message.reason).chars(140)

    # --- permissions: the desk's agents and managers, through the complaints' own ---------------

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and user.is_staff and user.has_perm(VIEW)

    def has_change_permission(self, request, obj=None):
        return False  # a message is never edited; the actions call services

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- a message's page, its original and its actions -------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/original.eml", view(self.original_view), name="mailin_original"),
            path("<int:pk>/act/<slug:action>/", view(self.act_view), name="mailin_act"),
            *super().get_urls(),
        ]

    def _message(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not str(pk).isdecimal():
            raise Http404("No such email.")
        return get_object_or_404(InboundMessage.objects.select_related("complaint", "handled_by"), pk=pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            raise PermissionDenied  # a message is never saved from a form; the actions post elsewhere
        return self.show(request, self._message(request, object_id))

    def show(self, request, message, bound=None):
        """Render a message's page, with ``bound`` (action name, form) open with its errors."""
        if bound is None and message.complaint_id:
            # A page shown again with an action's errors was logged when it was opened.
            access.record_access(staff=request.user, kind=ACCESS_KIND, complaint_ids=[message.complaint_id])
        too_big = message.size > settings.MAIL_IN_MAX_BYTES
        try:
            raw = services.original(message, parse.HEADER_BYTES if too_big else None)
        except (FileNotFoundError, ValueError):  # the file is gone, or the field holds none
            raw = None
        reading = None if too_big or raw is None else parse.read(raw)
        matched = services.known_customer(message.from_address)
        suggested = parse.answered(reading) if reading else None
        names = list(ACTIONS) if message.status in services.OPEN_TO_AGENTS else []
        if bound and bound[0] not in names:
            names.append(bound[0])  # a refused form shows again, even on a message dealt with meanwhile
        initial = {
            "attach": {"tracking_number": suggested.complaint.tracking_number
                       if suggested and suggested.complaint else (reading.tracking_number if reading else "")},
            "make": {"full_name": reading.from_name if reading else ""},
        }
        actions = []
        for name in names:
            label, _form_class, _run, permission = ACTIONS[name]
            if not request.user.has_perm(permission):
                continue
            is_bound = bool(bound) and bound[0] == name
            form = bound[1] if is_bound else self._form(name, message, initial=initial.get(name), matched=matched)
            actions.append({"name": name, "label": label, "form": form, "open": is_bound,
                            "url": reverse("admin:mailin_act", args=[message.pk, name])})
        return TemplateResponse(request, "admin/mailin/message.html", {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(message),
            "message": message,
            "arrived": clock.uk_time(message.arrived_at),
            "headers": parse.headers(raw or b""),
            "too_big": too_big,
            "kept": raw is not None,
            "reading": reading,
            "actions": actions,
        })

    @staticmethod
    def _form(name, message, *, data=None, initial=None, matched=None):
        form_class = ACTIONS[name][1]
        extra = {"matched": matched} if form_class is MakeComplaintForm else {}
        return form_class(data, prefix=name, initial=initial, **extra)

    def original_view(self, request, pk):
        """Send the message as it arrived, as a file (never shown in the browser)."""
        message = self._message(request, pk)
        try:
            handle = message.raw.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404("The original is no longer kept.") from None
        response = FileResponse(handle, as_attachment=True, filename=f"email-{message.pk}.eml",
                                content_type="message/rfc822")
        response["X-Content-Type-Options"] = "nosniff"
        patch_cache_control(response, private=True, no_store=True)
        if message.complaint_id:
            access.record_access(staff=request.user, kind=ACCESS_KIND, complaint_ids=[message.complaint_id])
        return response

    def act_view(self, request, pk, action):
        return _act(request, self, pk, action)


@require_POST
def _act(request, model_admin, pk, action):
    """Take one action on a message through its service, then go back to its page."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    message = model_admin._message(request, pk)
    label, _form_class, run, permission = ACTIONS[action]
    if not request.user.has_perm(permission):
        raise PermissionDenied
    form = model_admin._form(action, message, data=request.POST,
                             matched=services.known_customer(message.from_address))
    if form.is_valid():
        try:
            done = run(request, message, form)
        except ValidationError as error:
            _add_refusal(form, error)
        else:
            messages.success(request, done)
            return redirect("admin:mailin_inboundmessage_change", message.pk)
    messages.error(request, f"“{label}” was not done: see below.")
    message.refresh_from_db()
    return model_admin.show(request, message, bound=(action, form))


def _add_refusal(form, error):
    """Show a service's refusal on the form's fields it names, or above the form."""
    if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
        form.add_error(None, error)
    else:
        for text in error.messages:
            form.add_error(None, text)
