from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from clock import uk_today
from complaints.admin_base import ReadOnlyAdmin
from ombudsman import services
from ombudsman.models import Letter, LetterStatus, Referral, Scheme, SweepFailure, SweepRun, WaitingPeriodPolicy


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


@admin.register(WaitingPeriodPolicy)
class WaitingPeriodPolicyAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "days", "note"]

    def _in_future(self, obj):
        return obj is None or obj.effective_from > uk_today()

    def has_change_permission(self, request, obj=None):
        # A policy in force has fixed the clocks of complaints already received: keep it as it was.
        return super().has_change_permission(request, obj) and self._in_future(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_future(obj)


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
        return [*self.readonly_fields, "complaint", "referred_on"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            form.clean = _check_new_referral
        return form

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


DECISION_FIELDS = {"decision", "decision_on", "remedy_apology", "remedy_explanation", "remedy_action",
                   "award_amount"}


def _check_new_referral(form):
    data = form.cleaned_data
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
