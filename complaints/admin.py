"""The staff access log's admin page: who saw whose complaint, read by complaint managers."""

from django.contrib import admin
from django.contrib.auth import get_user_model

from accounts.admin_site import PortalModelAdmin
from complaints.admin_base import BoundedCountAdmin, ReadOnlyAdmin
from complaints.models import Complaint, ComplaintAccess
from complaints.tracking import normalise_tracking_number


class StaffFilter(admin.SimpleListFilter):
    """Filter by staff member, offering only staff (the user table also holds every customer)."""

    title = "staff member"
    parameter_name = "staff"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("full_name", "email")
        return [(str(user.pk), user.full_name or user.email) for user in staff]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(staff_id=int(value)) if value.isdecimal() else queryset.none()


@admin.register(ComplaintAccess)
class ComplaintAccessAdmin(PortalModelAdmin, BoundedCountAdmin, ReadOnlyAdmin):
    """Who saw whose complaint: read by complaint managers, changed and deleted by nobody."""

    list_display = ["at", "staff", "kind", "complaint"]
    list_filter = [StaffFilter, "kind"]
    search_fields = ["complaint__tracking_number"]
    search_help_text = "A tracking number, however it is typed."
    list_select_related = ["staff", "complaint"]
    ordering = ["-pk"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        canonical = normalise_tracking_number(search_term)
        # The complaint's id first: a join would let PostgreSQL walk the whole log newest first.
        complaint_id = Complaint.objects.filter(tracking_number=canonical or "").values_list("pk", flat=True).first()
        return queryset.filter(complaint_id=complaint_id), False
