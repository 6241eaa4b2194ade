
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.admin_site import PortalModelAdmin
from clock import uk_today
from complaints import access, printing
from complaints.admin_base import AccessLoggedAdmin, ReadOnlyAdmin
from complaints.models import AccessKind
from ombudsman import referral_admin, services  # noqa: F401 - referral_admin registers the Referral admin
from ombudsman.models import Letter, LetterStatus, Scheme, SweepFailure, SweepRun, WaitingPeriodPolicy


@admin.register(Scheme)
class SchemeAdmin(PortalModelAdmin):
    list_display = ["name", "short_name", "is_provider_scheme", "is_active", "phone", "website",
                    "compliance_deadline", "compliance_day_count", "award_limit"]
    list_filter = ["is_active", "is_provider_scheme"]
    readonly_fields = ["slug"]
    fieldsets = [
        (None, {"fields": ["slug", "name", "name_takes_the", "short_name", "short_name_takes_the", "operator",
                           "is_active", "is_provider_scheme"]}),
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
class WaitingPeriodPolicyAdmin(PortalModelAdmin):
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
class LetterAdmin(PortalModelAdmin, AccessLoggedAdmin):
    """Letters are frozen: read here (each opening is logged), posted from the print queue."""

    access_kind = AccessKind.LETTER
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
        url = reverse("admin:ombudsman_letter_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.filename)

    def get_urls(self):
        return [path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="ombudsman_letter_pdf"),
                *super().get_urls()]

    def pdf_view(self, request, pk):
        """Serve a letter's frozen PDF to staff who may view letters, and record that they opened it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        letter = get_object_or_404(Letter, pk=pk)
        access.record_access(staff=request.user, kind=AccessKind.LETTER_PDF, complaint_ids=[letter.complaint_id])
        return printing.pdf_response(letter)

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


@admin.register(SweepRun)
class SweepRunAdmin(PortalModelAdmin, ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "swept_as_of", "counts", "errors"]
    readonly_fields = ["started_at", "finished_at", "swept_as_of", "counts", "errors"]


@admin.register(SweepFailure)
class SweepFailureAdmin(PortalModelAdmin, ReadOnlyAdmin):
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
