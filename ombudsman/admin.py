from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.roles import is_manager
from clock import uk_today
from complaints.admin_base import ReadOnlyAdmin
from ombudsman import services
from ombudsman.forms import CorrectCustomerAcceptanceForm, CorrectDecisionForm
from ombudsman.models import Letter, LetterStatus, Referral, Scheme, SweepFailure, SweepRun, WaitingPeriodPolicy
from ombudsman.models.referrals import STEP_DATES


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "is_provider_scheme", "is_active", "phone", "website",
                    "compliance_deadline", "compliance_day_count", "award_limit"]
    list_filter = ["is_active", "is_provider_scheme"]
    readonly_fields = ["slug"]
    fieldsets = [
        (None, {"fields": ["slug", "name", "short_name", "operator", "is_active", "is_provider_scheme"]}),
        ("Contact details (quoted in letters and pages)", {"fields": ["website", "phone", "fax", "email",
                                                                      "postal_address"]}),
        ("Rules", {"fields": ["referral_window_months", "compliance_deadline", "compliance_day_count",
                              "award_limit"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def has_delete_permission(self, request, obj=None):
        # Letters and referrals quote schemes; retire one by making it inactive.
        return False


class WaitingPeriodPolicyForm(forms.ModelForm):
    """A policy of 1 to 56 days (the model's validators), from tomorrow or later (the service's check)."""

    class Meta:
        model = WaitingPeriodPolicy
        fields = ["effective_from", "days", "note"]

    def clean(self):
        data = super().clean()
        stored = WaitingPeriodPolicy.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        services.check_waiting_period_policy(effective_from=data.get("effective_from"), policy=stored)
        return data


@admin.register(WaitingPeriodPolicy)
class WaitingPeriodPolicyAdmin(admin.ModelAdmin):
    """Policies are added, corrected and deleted through their services, which guard the clock."""

    list_display = ["effective_from", "days", "note"]
    form = WaitingPeriodPolicyForm

    def _in_future(self, obj):
        return obj is None or obj.effective_from > uk_today()

    def has_change_permission(self, request, obj=None):
        # A policy in force has fixed the clocks of complaints already received: keep it as it was.
        return super().has_change_permission(request, obj) and self._in_future(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_future(obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.change_waiting_period_policy(policy=obj, actor=request.user, **data)
            return
        policy = services.add_waiting_period_policy(actor=request.user, **data)
        obj.pk = policy.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.delete_waiting_period_policy(policy=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for policy in queryset:
            services.delete_waiting_period_policy(policy=policy, actor=request.user)


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["complaint", "kind", "letter_date", "delivery", "status", "sent_at", "attempts", "error"]
    list_filter = ["status", "kind", "delivery", "large_print"]
    search_fields = ["complaint__tracking_number"]
    date_hierarchy = "created_at"
    actions = ["mark_posted"]
    fields = ["complaint", "kind", "letter_date", "refer_by", "scheme", "scheme_details", "large_print",
              "delivery", "to_email", "status", "attempts", "next_attempt_at", "last_error", "created_at",
              "sent_at", "message_id", "pdf_link", "pdf_sha256", "text"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("complaint").defer("pdf", "html")

    @admin.display(description="error")
    def error(self, obj):
        return obj.last_error[:80]

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        # The desk's route, which records that the staff member opened the letter.
        url = reverse("admin:desk_print_pdf", args=["letter", obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.filename)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The change permission only allows the print-queue action; a letter's page is read-only.
        return obj is None and super().has_change_permission(request)

    @admin.action(description="Mark the selected letters as printed and posted", permissions=["change"])
    def mark_posted(self, request, queryset):
        posted = sum(services.mark_letter_posted(letter=letter, actor=request.user)
                     for letter in queryset.filter(status=LetterStatus.PRINT_QUEUED))
        self.message_user(request, f"{posted} letter(s) marked as posted.", messages.SUCCESS)


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


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    """Each step a staff member records goes through its service, which writes the timeline event."""

    list_display = ["complaint", "scheme", "case_reference", "referred_on", "decision", "compliance_due_on",
                    "complied_on", "overdue"]
    list_filter = [OverdueFilter, "decision", "scheme"]
    search_fields = ["complaint__tracking_number", "case_reference"]
    raw_id_fields = ["complaint"]
    readonly_fields = ["scheme", "recorded_by", "compliance_due_on", "compliance_reminder_sent_at",
                       "compliance_overdue_at", "created_at"]
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

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # The scheme's decision and the customer's answer are facts, recorded once; a manager
        # corrects one, with a reason, from the links at the top of the page. Read as stored:
        # a form being checked has put what was typed on ``obj``.
        if not hasattr(obj, "_stored_facts"):
            obj._stored_facts = Referral.objects.filter(pk=obj.pk).values(
                "decision", "customer_accepted_on", "customer_rejected_on").get()
        stored = obj._stored_facts
        facts = [*(services.DECISION_FIELDS if stored["decision"] else ()),
                 *(ANSWER_FIELDS if stored["customer_accepted_on"] or stored["customer_rejected_on"] else ())]
        return [*self.readonly_fields, "complaint", "referred_on", *facts]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.clean = _check_new_referral if obj is None else _check_step_dates
        return form

    # --- a manager's corrections of recorded facts -----------------------------------------

    def get_urls(self):
        return [
            path("<path:object_id>/correct/<slug:fact>/", self.admin_site.admin_view(self.correct_view),
                 name="ombudsman_referral_correct"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        referral = self.get_object(request, object_id) if is_manager(request.user) else None
        corrections = [
            {"label": correction.label, "url": reverse("admin:ombudsman_referral_correct", args=[referral.pk, fact])}
            for fact, correction in CORRECTIONS.items() if referral and getattr(referral, correction.recorded)
        ]
        return super().change_view(request, object_id, form_url, {**(extra_context or {}),
                                                                   "corrections": corrections})

    def correct_view(self, request, object_id, fact):
        """A manager corrects a recorded decision or acceptance, giving a reason."""
        referral = self.get_object(request, object_id)
        if referral is None or fact not in CORRECTIONS:
            raise Http404("No such referral or correction.")
        if not is_manager(request.user) or not self.has_view_permission(request, referral):
            raise PermissionDenied
        correction = CORRECTIONS[fact]
        change_url = reverse("admin:ombudsman_referral_change", args=[referral.pk])
        if not getattr(referral, correction.recorded):
            messages.error(request, f"There is no {correction.what} recorded to correct.")
            return redirect(change_url)
        form = correction.form(request.POST if request.method == "POST" else None,
                               initial={field: getattr(referral, field) for field in correction.form.base_fields
                                        if field != "reason"})
        if form.is_valid():
            try:
                correction.run(referral=referral, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"The {correction.what} is corrected; the old and new values and the "
                                          "reason are in the complaint's timeline.")
                return redirect(change_url)
        return TemplateResponse(request, "admin/ombudsman/referral/correct.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": referral,
            "title": f"Correct the {correction.what}", "form": form, "change_url": change_url,
        })

    def save_model(self, request, obj, form, change):
        data, changed = form.cleaned_data, set(form.changed_data)
        if not change:
            referral = services.record_referral(
                complaint=data["complaint"], actor=request.user, referred_on=data["referred_on"],
                case_reference=data.get("case_reference", ""),
            )
            obj.pk, obj.scheme, obj.recorded_by = referral.pk, referral.scheme, referral.recorded_by
            obj._state.adding = False
            changed -= {"complaint", "referred_on", "case_reference"}
        if "accepted_on" in changed and data["accepted_on"]:
            services.record_scheme_acceptance(referral=obj, actor=request.user, accepted_on=data["accepted_on"],
                                              case_reference=data["case_reference"])
        elif "case_reference" in changed:
            services.record_case_reference(referral=obj, actor=request.user, case_reference=data["case_reference"])
        if changed & DECISION_FIELDS and data["decision"]:
            services.record_decision(
                referral=obj, actor=request.user, decision=data["decision"], decided_on=data["decision_on"],
                apology=data["remedy_apology"], explanation=data["remedy_explanation"],
                action=data["remedy_action"], award_amount=data["award_amount"],
            )
        if "customer_accepted_on" in changed and data["customer_accepted_on"]:
            services.record_customer_acceptance(referral=obj, actor=request.user,
                                                accepted_on=data["customer_accepted_on"])
        if "customer_rejected_on" in changed and data["customer_rejected_on"]:
            services.record_customer_rejection(referral=obj, actor=request.user,
                                               rejected_on=data["customer_rejected_on"])
        if "complied_on" in changed and data["complied_on"]:
            services.record_compliance(referral=obj, actor=request.user, complied_on=data["complied_on"])


DECISION_FIELDS = set(services.DECISION_FIELDS)
ANSWER_FIELDS = ("customer_accepted_on", "customer_rejected_on")


@dataclass(frozen=True)
class Correction:
    label: str
    what: str
    recorded: str  # the field set once the fact is recorded
    form: type
    run: Any


def _correct_decision(*, referral, actor, reason, decision, decision_on, **remedies):
    return services.correct_decision(
        referral=referral, actor=actor, reason=reason, decision=decision, decided_on=decision_on,
        apology=remedies["remedy_apology"], explanation=remedies["remedy_explanation"],
        action=remedies["remedy_action"], award_amount=remedies["award_amount"],
    )


def _correct_acceptance(*, referral, actor, reason, customer_accepted_on):
    return services.correct_customer_acceptance(referral=referral, actor=actor, reason=reason,
                                                accepted_on=customer_accepted_on)


CORRECTIONS = {
    "decision": Correction("Correct the decision", "scheme's decision", "decision", CorrectDecisionForm,
                           _correct_decision),
    "acceptance": Correction("Correct the customer's acceptance", "customer's acceptance", "customer_accepted_on",
                             CorrectCustomerAcceptanceForm, _correct_acceptance),
}


def _add_errors(form, error):
    """Put a service's refusal on the form: on the field it names, or else above the fields."""
    for field, messages_ in (error.message_dict if hasattr(error, "error_dict") else {None: error.messages}).items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


def _check_step_dates(form):
    # Steps recorded on this page happened: none is dated in the future.
    data = form.cleaned_data
    services.check_not_in_future(**{name: data.get(name) for name in STEP_DATES if name in form.changed_data})
    return data


def _check_new_referral(form):
    data = _check_step_dates(form)
    if data.get("complaint") and data.get("referred_on"):
        services.check_referral(complaint=data["complaint"], referred_on=data["referred_on"])
    return data


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "swept_as_of", "counts", "errors"]
    readonly_fields = ["started_at", "finished_at", "swept_as_of", "counts", "errors"]


@admin.register(SweepFailure)
class SweepFailureAdmin(ReadOnlyAdmin):
    """What the clock sweep keeps failing on: each row stays here until the sweep handles it."""

    list_display = ["step", "item", "attempts", "first_failed_at", "last_failed_at", "retry_at", "short_error"]
    list_filter = ["step"]
    readonly_fields = ["step", "item", "attempts", "first_failed_at", "last_failed_at", "retry_at", "error"]
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("complaint")

    @admin.display(description="item")
    def item(self, obj):
        if obj.complaint is None:
            return f"#{obj.object_id}"
        url = reverse("admin:complaints_complaint_change", args=[obj.complaint_id])
        return format_html('<a href="{}">{}</a> (#{})', url, obj.complaint.tracking_number, obj.object_id)

    @admin.display(description="error")
    def short_error(self, obj):
        return obj.error[:120]
