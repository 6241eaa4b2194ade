"""A read-only admin: every change to a complaint goes through complaints.services, not a form."""

from django.contrib import admin

from complaints.models import Complaint, Event, OutgoingEmail
from complaints.tracking import normalise_tracking_number


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Event
    fields = ["created_at", "kind", "summary", "actor", "visible_to_customer", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["tracking_number", "customer", "product", "category", "channel", "status",
                    "received_at", "adr_opens_at"]
    list_filter = ["status", "category", "channel", "product"]
    search_fields = ["tracking_number", "customer__email"]
    list_select_related = ["customer"]
    date_hierarchy = "received_at"
    inlines = [EventInline]

    def get_search_results(self, request, queryset, search_term):
        # Agents type tracking numbers the way customers read them out: accept any spelling.
        canonical = normalise_tracking_number(search_term)
        if canonical:
            return queryset.filter(tracking_number=canonical), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "to", "subject", "complaint", "status", "attempts",
                    "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "complaint__tracking_number"]
    list_select_related = ["complaint"]
