"""Subject access requests for staff, and read-only records of erasures and closed accounts."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F, Value
from django.db.models.functions import Replace
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.admin_site import PortalModelAdmin
from clock import uk_today
from complaints.admin_base import ReadOnlyAdmin
from complaints.models import Complaint
from complaints.tracking import normalise_tracking_number
from privacy import services
from privacy.models import AccountClosure, CustomerErasure, Erasure, SarLogEntry, SarStatus, SubjectAccessRequest


def _phone_spellings(text):
    """Return the ways a UK phone number may be stored, without spaces, dashes or brackets."""
    compact = "".join(char for char in text if char.isdigit() or char == "+")
    if compact.startswith("+44"):
        return [compact, "0" + compact[3:]]
    if compact.startswith("0"):
        return [compact, "+44" + compact[1:]]
    return [compact]


def find_customers(text):
    """Return the customers an email address, phone number or complaint tracking number points to."""
    text = text.strip()
    customers = get_user_model().objects.filter(is_staff=False)
    tracking_number = normalise_tracking_number(text)
    if tracking_number:
        return customers.filter(pk__in=Complaint.objects.filter(tracking_number=tracking_number).values("customer"))
    if "@" in text:
        # Emails are stored in lower case (see User.save): match through the unique index.
        return customers.filter(email=text.lower())
    if sum(char.isdigit() for char in text) < 6:
        return customers.none()
    compact = F("phone")
    for separator in (" ", "-", "(", ")"):
        compact = Replace(compact, Value(separator), Value(""))
    return customers.annotate(compact_phone=compact).filter(compact_phone__in=_phone_spellings(text))


class SubjectAccessRequestForm(forms.ModelForm):
    find_customer = forms.CharField(
        label="Customer", max_length=254,
        help_text="Their email address, phone number, or the tracking number of one of their complaints.",
    )

    class Meta:
        model = SubjectAccessRequest
        fields = ["find_customer", "channel", "received_at", "notes"]

    def clean_find_customer(self):
        matches = list(find_customers(self.cleaned_data["find_customer"])[:2])
        if not matches:
            raise forms.ValidationError(
                "Nobody on record matches. Check what you typed, or add the customer first (Accounts › Users) "
                "if we do hold data about them."
            )
        if len(matches) > 1:
            raise forms.ValidationError("More than one customer matches: use their email or a tracking number.")
        self.instance.customer = matches[0]
        return self.cleaned_data["find_customer"]

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        if received_at > timezone.now():
            raise forms.ValidationError("A request cannot be received in the future.")
        return received_at


class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("open", "Open, not yet due")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(status=SarStatus.OPEN, due_on__lt=uk_today())
        if self.value() == "open":
            return queryset.filter(status=SarStatus.OPEN, due_on__gte=uk_today())
        return queryset


class SarLogInline(admin.TabularInline):
    model = SarLogEntry
    fields = ["at", "actor", "summary"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SubjectAccessRequest)
class SubjectAccessRequestAdmin(PortalModelAdmin):
    """Each step goes through a service, which writes the request's log."""

    form = SubjectAccessRequestForm
    list_display = ["__str__", "customer_name", "channel", "received_at", "due_on", "overdue", "status",
                    "export_ready"]
    list_filter = [OverdueFilter, "status", "channel"]
    search_fields = ["customer__email", "customer__full_name"]
    list_select_related = ["customer"]
    ordering = ["due_on", "pk"]
    actions = ["generate_export", "mark_answered"]
    inlines = [SarLogInline]
    readonly_fields = ["customer_details", "channel", "received_at", "due_on", "status", "export_link",
                       "export_generated_at", "export_sha256", "answered_at", "answered_by", "recorded_by"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["find_customer", "channel", "received_at", "notes"]
        return [*self.readonly_fields, "notes"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            services.update_subject_access_notes(sar=obj, actor=request.user)
        else:
            services.record_subject_access_request(sar=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="customer", ordering="customer__full_name")
    def customer_name(self, sar):
        return str(sar.customer)

    @admin.display(description="customer")
    def customer_details(self, sar):
        customer = sar.customer
        lines = [customer.full_name or f"Customer #{customer.pk}", customer.email or "no email",
                 customer.phone or "no phone", customer.address or "no postal address", customer.postcode]
        return format_html("<br>".join(["{}"] * len(lines)), *lines)

    @admin.display(boolean=True)
    def overdue(self, sar):
        return sar.is_overdue(uk_today())

    @admin.display(boolean=True, description="export ready")
    def export_ready(self, sar):
        return bool(sar.export)

    @admin.display(description="export")
    def export_link(self, sar):
        if not sar.export:
            return "—"
        url = reverse("admin:privacy_subjectaccessrequest_export", args=[sar.pk])
        return format_html('<a href="{}">Download the export (zip)</a>', url)

    def get_urls(self):
        return [
            path("<int:pk>/export/", self.admin_site.admin_view(self.download_export),
                 name="privacy_subjectaccessrequest_export"),
            *super().get_urls(),
        ]

    def download_export(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        sar = get_object_or_404(SubjectAccessRequest, pk=pk)
        if not sar.export:
            raise Http404("This request has no export to download.")
        services.record_subject_access_download(sar=sar, actor=request.user)
        return FileResponse(sar.export.open("rb"), as_attachment=True, content_type="application/zip",
                            filename=f"subject-access-request-{sar.pk}.zip")

    @admin.action(description="Generate the customer's data export", permissions=["change"])
    def generate_export(self, request, queryset):
        done = 0
        for sar in queryset.filter(status=SarStatus.OPEN):
            services.generate_subject_access_export(sar=sar, actor=request.user)
            done += 1
        self.message_user(request, f"{done} export(s) generated: open each request to download its export.",
                          messages.SUCCESS)
        skipped = queryset.exclude(status=SarStatus.OPEN).count()
        if skipped:
            self.message_user(request, f"{skipped} answered request(s) left as they were.", messages.WARNING)

    @admin.action(description="Mark as answered (export sent to the customer)", permissions=["change"])
    def mark_answered(self, request, queryset):
        done, refused = 0, []
        for sar in queryset:
            try:
                services.mark_subject_access_answered(sar=sar, actor=request.user)
            except ValueError as exc:
                refused.append(str(exc))
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} request(s) marked as answered.", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)


@admin.register(Erasure)
class ErasureAdmin(PortalModelAdmin, ReadOnlyAdmin):
    list_display = ["complaint", "erased_at", "retention_years", "counts"]
    search_fields = ["complaint__tracking_number"]
    date_hierarchy = "erased_at"


@admin.register(CustomerErasure)
class CustomerErasureAdmin(PortalModelAdmin, ReadOnlyAdmin):
    list_display = ["customer", "erased_at", "reason"]
    date_hierarchy = "erased_at"


@admin.register(AccountClosure)
class AccountClosureAdmin(PortalModelAdmin, ReadOnlyAdmin):
    list_display = ["customer", "closed_at", "open_complaints", "withdrawn_complaints"]
    search_fields = ["customer__email", "customer__full_name"]
    list_select_related = ["customer"]
    date_hierarchy = "closed_at"
