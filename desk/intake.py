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
from accounts.forms import CUSTOMER_FIELDS, PHONE, STAFF_CONSENT_LABEL, UK_POSTCODE, CustomerDetailsForm
from accounts.models import PreferredFormat
from complaints.forms import ComplaintForm
from complaints.models import Channel, Product
from complaints.uploads import limits_in_words
from desk import permissions, services

MAX_MATCHES = 20


# The shared customer form speaks to the customer; here the agent fills it in for them.
AGENT_LABELS = {
    "customer_type": "Domestic customer or business?",
    "preferred_contact": "Send them letters and updates by",
    "accessibility_needs": "Their accessibility needs",
    "vulnerable": "Their circumstances make it harder for them to deal with a complaint",
    "vulnerability_notes": "What they told us about their circumstances",
    "preferred_format": "Format for their letters",
    "support_consent": STAFF_CONSENT_LABEL,
}
AGENT_HELP_TEXTS = {
    "email": "Leave empty if the customer has no email address: letters then go by post.",
    "phone": "Optional. A number we can call them on.",
    "address": "Needed for letters by post.",
    "vulnerable": "For example illness, disability, bereavement or money worries.",
    "support_consent": "Ask the customer first whether we may keep the support needs above and use them only to "
                       "handle their complaints, and tick only if they agreed. Without their consent we keep none: "
                       "clear them, and letters go in the standard format. They can withdraw it at any time, "
                       "which erases them.",
}


class NewCustomerForm(CustomerDetailsForm):
    """A customer who is not on record yet, typed in by the agent."""

    rule_messages = CustomerDetailsForm.rule_messages | {
        "address_for_post": "For letters by post, give their postal address.",
        "postcode_for_post": "For letters by post, give their postcode.",
        "post_without_email": "Without their email address, letters can only go by post: choose post, "
                              "or give their email address.",
        "format_unnamed": "Say in their accessibility needs which format they need.",
        "support_needs_without_consent": "Tick the box to record the customer's consent, or clear their support "
                                         "needs: we can only keep them with consent.",
    }

    class Meta(CustomerDetailsForm.Meta):
        fields = ("email", *CUSTOMER_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        for name, label in AGENT_LABELS.items():
            self.fields[name].label = label
        for name, help_text in AGENT_HELP_TEXTS.items():
            self.fields[name].help_text = help_text
        relabel_choice(self.fields["preferred_format"], PreferredFormat.OTHER,
                       "Another format (say which in their accessibility needs)")

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
        self.fields["description"].help_text = "What happened and when, as the customer told it."
        self.fields["desired_outcome"].label = "What the customer wants us to do"
        self.fields["statement_date"].help_text = (
            "Optional, but it helps find the bill. The Code asks for billing discrepancies within 30 days of the "
            "statement; we look into the complaint whatever the date."
        )
        self.fields["attachments"].help_text = (
            f"Optional. {limits_in_words()} A scan of their letter or email, for example."
        )
        relabel_choice(self.fields["product"], Product.BILLING_ACCOUNT, "Billing or their account")
        relabel_choice(self.fields["product"], "", "Choose the product or service")
        relabel_choice(self.fields["category"], "", "Choose the kind of problem")

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


def relabel_choice(field, value, label):
    """Give one of a choice field's choices the agent's words."""
    field.choices = [(choice, label if choice == value else text) for choice, text in field.choices]


def tidy(query):
    """Return a search as it is read: trimmed, without NULs."""
    # No stored text holds a NUL, and PostgreSQL refuses one in a query.
    return query.replace("\x00", "").strip()


def find_customers(query):
    """Return customers (never staff) whose email, name, phone or postcode matches."""
    query = tidy(query)
    if not query:
        return []
    compact = query.replace(" ", "").upper()
    matches = (Q(email__icontains=query) | Q(full_name__icontains=query) | Q(phone__icontains=query)
               | Q(postcode__iexact=f"{compact[:-3]} {compact[-3:]}"))
    # A sign-up whose address is not yet confirmed is nobody's record yet: letters must not go to it.
    customers = get_user_model().objects.filter(matches, is_staff=False, awaiting_confirmation=False)
    return list(customers.order_by("full_name", "pk")[:MAX_MATCHES])


def details_from_search(query):
    """Return what the agent searched for as the new customer's email, postcode, phone or name."""
    query = tidy(query)
    if not query:
        return {}
    if "@" in query:
        return {"email": query}
    compact = query.replace(" ", "").upper()
    if UK_POSTCODE.match(compact):
        return {"postcode": f"{compact[:-3]} {compact[-3:]}"}
    if PHONE.match(query) and any(character in "0123456789" for character in query):
        return {"phone": query}
    return {"full_name": query}


def log_complaint(request, model_admin):
    """Find or create the customer, then log their complaint; it gets a tracking number and
    an acknowledgement the way the customer prefers (email, or post through the print queue)."""
    if not permissions.can(request.user, "log"):
        raise PermissionDenied
    chosen = request.GET.get("customer", "")
    query = request.GET.get("q", "")
    customer = None
    customer_form = None
    if chosen == "new":
        customer_form = NewCustomerForm(request.POST or None, initial=details_from_search(query))
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
        by_post = not complaint.customer.gets_email
        messages.success(request, f"Complaint {complaint.tracking_number} logged. The acknowledgement goes by "
                                  f"{'post (see the print queue)' if by_post else 'email'}.")
        return redirect("admin:complaints_complaint_change", complaint.pk)
    # A form that needs correcting is an answer, not a bad request: the page says what to fix.
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
        # Browsers never refill a file input, so a page shown again has lost every file chosen,
        # whichever of the two forms needs correcting.
        "files_to_choose_again": [file.name for file in request.FILES.getlist("attachments") if file],
    })
