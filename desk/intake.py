"""Logging a complaint for a customer who phoned, emailed or wrote: find or create them first."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone

import clock
from accounts.forms import CUSTOMER_FIELDS, STAFF_CONSENT_LABEL, CustomerDetailsForm
from accounts.models import PreferredContact
from complaints.forms import ComplaintForm
from complaints.models import Channel
from desk import permissions, services

MAX_MATCHES = 20


AGENT_LABELS = {
    "customer_type": "Domestic customer or business?",
    "preferred_contact": "Send them letters and updates by",
    "vulnerable": "Their circumstances make it harder for them to deal with a complaint",
    "vulnerability_notes": "What they told us about their circumstances",
    "preferred_format": "Format for their letters",
}


class NewCustomerForm(CustomerDetailsForm):
    """A customer who is not on record yet, typed in by the agent."""

    class Meta(CustomerDetailsForm.Meta):
        fields = ("email", *CUSTOMER_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        self.fields["email"].help_text = "Leave empty if the customer has no email address: letters then go by post."
        self.fields["support_consent"].label = STAFF_CONSENT_LABEL
        # The shared form speaks to the customer; here the agent fills it in for them.
        for name, label in AGENT_LABELS.items():
            self.fields[name].label = label

    def clean_email(self):
        email = super().clean_email()
        if email and get_user_model().objects.filter(email=email).exists():
            raise forms.ValidationError("Someone with this email address is already on record: search for them.")
        return email


class LoggedComplaintForm(ComplaintForm):
    """The complaint as the agent took it down, with when and how the customer first complained."""

    channel = forms.ChoiceField(label="How it arrived",
                                choices=[(value, label) for value, label in Channel.choices if value != Channel.WEB])
    received_at = forms.DateTimeField(
        label="When the customer first complained", initial=lambda: clock.uk_time(timezone.now()),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Their first expression of dissatisfaction, whatever the channel: the clock starts then.",
    )
    backdate_reason = forms.CharField(
        label="Why the date is before today", required=False, max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}), help_text="Needed for a date before today; kept for audit.",
    )

    class Meta(ComplaintForm.Meta):
        labels = {"product": "Product or service", "category": "Kind of problem"}

    field_order = ["channel", "received_at", "backdate_reason", "product", "category", "description",
                   "desired_outcome", "statement_date", "attachments"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].label = "What went wrong, in the customer's words"
        self.fields["desired_outcome"].label = "What the customer wants us to do"
        self.fields["attachments"].help_text = "A scan of their letter or email, for example (PDF, PNG or JPEG)."

    def clean(self):
        cleaned = super().clean()
        received_at = cleaned.get("received_at")
        if received_at is None:
            return cleaned
        now = timezone.now()
        if received_at > now:
            self.add_error("received_at", "The customer cannot have complained in the future.")
        elif (clock.uk_date(received_at) < clock.uk_today(now)
              and not cleaned.get("backdate_reason", "").strip()):
            self.add_error("backdate_reason", "Say why the complaint starts before today: it moves the clock.")
        return cleaned

    def complaint_fields(self):
        data = self.cleaned_data
        fields = ("channel", "received_at", "backdate_reason", "product", "category", "description",
                  "desired_outcome", "statement_date", "attachments")
        return {name: data[name] for name in fields}


def find_customers(query):
    """Return customers (never staff) whose email, name, phone or postcode matches."""
    # No stored text holds a NUL, and PostgreSQL refuses one in a query.
    query = query.replace("\x00", "").strip()
    if not query:
        return []
    compact = query.replace(" ", "").upper()
    matches = (Q(email__icontains=query) | Q(full_name__icontains=query) | Q(phone__icontains=query)
               | Q(postcode__iexact=f"{compact[:-3]} {compact[-3:]}"))
    # A sign-up whose address is not yet confirmed is nobody's record yet: letters must not go to it.
    customers = get_user_model().objects.filter(matches, is_staff=False, awaiting_confirmation=False)
    return list(customers.order_by("full_name", "pk")[:MAX_MATCHES])


def log_complaint(request, model_admin):
    """Find or create the customer, then log their complaint; it gets a tracking number and
    an acknowledgement the way the customer prefers (email, or post through the print queue)."""
    if not permissions.can(request.user, "log"):
        raise PermissionDenied
    chosen = request.GET.get("customer", "")
    customer = None
    customer_form = None
    if chosen == "new":
        customer_form = NewCustomerForm(request.POST or None)
    elif chosen.isdecimal():  # what int() reads: "²" is a digit but no number
        customer = get_object_or_404(get_user_model(), pk=chosen, is_staff=False, awaiting_confirmation=False)
    complaint_form = None
    if chosen:
        complaint_form = LoggedComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and complaint_form and complaint_form.is_valid() and (
        customer_form is None or customer_form.is_valid()
    ):
        complaint = services.log_complaint(
            agent=request.user, customer=customer or customer_form.save(commit=False),
            **complaint_form.complaint_fields(),
        )
        by_post = not (complaint.customer.email and complaint.customer.preferred_contact == PreferredContact.EMAIL)
        messages.success(request, f"Complaint {complaint.tracking_number} logged. The acknowledgement goes by "
                                  f"{'post (see the print queue)' if by_post else 'email'}.")
        return redirect("admin:complaints_complaint_change", complaint.pk)
    query = request.GET.get("q", "")
    return TemplateResponse(request, "admin/desk/log_complaint.html", {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Log a complaint",
        "query": query,
        "matches": find_customers(query) if not chosen else [],
        "searched": bool(query.strip()),
        "customer": customer,
        "customer_form": customer_form,
        "complaint_form": complaint_form,
        "chosen": chosen,
    }, status=400 if request.method == "POST" else 200)
