"""The Referral admin: a referral's page is read-only; each fact is recorded by its own form.

The scheme's acceptance, the case reference, the decision, the customer's acceptance or
rejection, and compliance each have a form that calls their one service (which writes the
timeline event); a manager corrects a recorded decision or acceptance the same way, with a
reason. The page offers only the facts that can be recorded now.
"""

from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.admin_site import PortalModelAdmin
from accounts.roles import is_manager
from clock import uk_today
from complaints.admin_base import AccessLoggedAdmin
from complaints.models import AccessKind
from ombudsman import forms, services
from ombudsman.models import Referral


@dataclass(frozen=True)
class Fact:
    label: str  # the link to the form, and the form's title
    form: type
    record: Any  # record(referral=, actor=, **cleaned_data): the service call
    possible: Any  # possible(referral): whether the fact can be recorded now
    done: str
    managers_only: bool = False


def _decision(data):
    return {"decision": data["decision"], "decided_on": data["decision_on"], "apology": data["remedy_apology"],
            "explanation": data["remedy_explanation"], "action": data["remedy_action"],
            "award_amount": data["award_amount"]}


def _answered(referral):
    return bool(referral.customer_accepted_on or referral.customer_rejected_on)


FACTS = {
    "scheme-acceptance": Fact(
        "Record that the scheme took the case on", forms.SchemeAcceptanceForm,
        lambda *, referral, actor, accepted_on, case_reference: services.record_scheme_acceptance(
            referral=referral, actor=actor, accepted_on=accepted_on, case_reference=case_reference),
        lambda referral: not referral.accepted_on, "The scheme's acceptance is recorded."),
    "case-reference": Fact(
        "Record the case reference", forms.CaseReferenceForm,
        lambda *, referral, actor, case_reference: services.record_case_reference(
            referral=referral, actor=actor, case_reference=case_reference),
        lambda referral: True, "The case reference is recorded."),
    "decision": Fact(
        "Record the scheme's decision", forms.DecisionForm,
        lambda *, referral, actor, **data: services.record_decision(referral=referral, actor=actor, **_decision(data)),
        lambda referral: not referral.decision, "The scheme's decision is recorded."),
    "customer-acceptance": Fact(
        "Record that the customer accepted the decision", forms.CustomerAcceptanceForm,
        lambda *, referral, actor, customer_accepted_on: services.record_customer_acceptance(
            referral=referral, actor=actor, accepted_on=customer_accepted_on),
        lambda referral: bool(referral.decision) and not _answered(referral),
        "The customer's acceptance is recorded."),
    "customer-rejection": Fact(
        "Record that the customer turned the decision down", forms.CustomerRejectionForm,
        lambda *, referral, actor, customer_rejected_on: services.record_customer_rejection(
            referral=referral, actor=actor, rejected_on=customer_rejected_on),
        lambda referral: bool(referral.decision) and not _answered(referral),
        "The customer's rejection is recorded; the case is closed."),
    "compliance": Fact(
        "Record that we complied with the decision", forms.ComplianceForm,
        lambda *, referral, actor, complied_on: services.record_compliance(
            referral=referral, actor=actor, complied_on=complied_on),
        lambda referral: bool(referral.compliance_due_on) and not referral.complied_on,
        "Compliance with the decision is recorded."),
    "correct-decision": Fact(
        "Correct the decision", forms.CorrectDecisionForm,
        lambda *, referral, actor, reason, **data: services.correct_decision(
            referral=referral, actor=actor, reason=reason, **_decision(data)),
        lambda referral: bool(referral.decision),
        "The scheme's decision is corrected; the old and new values and the reason are in the timeline.",
        managers_only=True),
    "correct-acceptance": Fact(
        "Correct the customer's acceptance", forms.CorrectCustomerAcceptanceForm,
        lambda *, referral, actor, reason, customer_accepted_on: services.correct_customer_acceptance(
            referral=referral, actor=actor, reason=reason, accepted_on=customer_accepted_on),
        lambda referral: bool(referral.customer_accepted_on),
        "The customer's acceptance is corrected; the old and new values and the reason are in the timeline.",
        managers_only=True),
}


class OverdueFilter(admin.SimpleListFilter):
    title = "compliance"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("due", "Due, not yet complied with")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(complied_on__isnull=True, compliance_overdue_at__isnull=False)
        if self.value() == "due":
            return queryset.filter(complied_on__isnull=True, compliance_due_on__isnull=False)
        return queryset


class NewReferralForm(django_forms.ModelForm):
    """Staff record a referral the customer made by phone or letter (ombudsman.services.record_referral)."""

    class Meta:
        model = Referral
        fields = ["complaint", "referred_on", "case_reference"]
        labels = {"referred_on": "The customer referred it on"}
        widgets = {"referred_on": django_forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self):
        data = super().clean()
        if data.get("complaint") and data.get("referred_on"):
            try:
                services.check_referral(complaint=data["complaint"], referred_on=data["referred_on"])
            except ValidationError as error:
                add_errors(self, error)
        return data


@admin.register(Referral)
class ReferralAdmin(PortalModelAdmin, AccessLoggedAdmin):
    """A referral's page shows the case; its facts are recorded from the links at the top."""

    access_kind = AccessKind.REFERRAL
    list_display = ["complaint", "scheme", "case_reference", "referred_on", "decision", "compliance_due_on",
                    "complied_on", "overdue"]
    list_filter = [OverdueFilter, "decision", "scheme"]
    search_fields = ["complaint__tracking_number", "case_reference"]
    raw_id_fields = ["complaint"]
    form = NewReferralForm
    fieldsets = [
        (None, {"fields": ["complaint", "scheme", "referred_on", "case_reference", "recorded_by", "accepted_on"]}),
        ("Decision", {"fields": ["decision", "decision_on", "remedy_apology", "remedy_explanation",
                                 "remedy_action", "award_amount", "customer_accepted_on",
                                 "customer_rejected_on"]}),
        ("Compliance", {"fields": ["compliance_due_on", "complied_on", "compliance_reminder_sent_at",
                                   "compliance_overdue_at"]}),
    ]

    @admin.display(boolean=True)
    def overdue(self, obj):
        return obj.is_compliance_overdue(uk_today())

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["complaint", "referred_on", "case_reference"]})]
        return self.fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["fields"] = ["complaint", "referred_on", "case_reference"]
        return super().get_form(request, obj, change, **kwargs)

    def has_change_permission(self, request, obj=None):
        # A referral's page is read-only: each fact has its own form (see FACTS).
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        referral = services.record_referral(complaint=data["complaint"], actor=request.user,
                                            referred_on=data["referred_on"], case_reference=data["case_reference"])
        # The admin logs the addition and redirects with what the service saved.
        obj.pk, obj.scheme, obj.recorded_by = referral.pk, referral.scheme, referral.recorded_by
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """Nothing else to save: the service wrote the referral."""

    def may_record(self, request, fact):
        """Say whether the staff member may record this fact: corrections are a manager's."""
        return request.user.has_perm("ombudsman.change_referral") and (
            not fact.managers_only or is_manager(request.user))

    # --- one form per fact ----------------------------------------------------------------

    def get_urls(self):
        return [
            path("<path:object_id>/record/<slug:fact>/", self.admin_site.admin_view(self.fact_view),
                 name="ombudsman_referral_fact"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        referral = self.get_object(request, object_id)
        facts = [{"label": fact.label, "url": reverse("admin:ombudsman_referral_fact", args=[referral.pk, name])}
                 for name, fact in FACTS.items()
                 if referral and fact.possible(referral) and self.may_record(request, fact)]
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "facts": facts})

    def fact_view(self, request, object_id, fact):
        """Record (or, for a manager, correct) one fact of a referral through its service."""
        referral = self.get_object(request, object_id)
        if referral is None or fact not in FACTS:
            raise Http404("No such referral or fact.")
        spec = FACTS[fact]
        if not self.may_record(request, spec):
            raise PermissionDenied
        change_url = reverse("admin:ombudsman_referral_change", args=[referral.pk])
        if not spec.possible(referral):
            messages.error(request, f"“{spec.label}” is not possible on this referral now.")
            return redirect(change_url)
        initial = {name: getattr(referral, name) for name in spec.form.base_fields if hasattr(referral, name)}
        form = spec.form(request.POST if request.method == "POST" else None, initial=initial)
        if form.is_valid():
            try:
                spec.record(referral=referral, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, spec.done)
                return redirect(change_url)
        return TemplateResponse(request, "admin/ombudsman/referral/fact.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": referral,
            "title": spec.label, "form": form, "change_url": change_url, "correction": spec.managers_only,
        })


def add_errors(form, error):
    """Put a service's refusal on the form: on the field it names, or else above the fields."""
    named = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, refusals in named.items():
        for refusal in refusals:
            form.add_error(field if field in form.fields else None, refusal)
