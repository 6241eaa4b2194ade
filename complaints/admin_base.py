"""Admin building blocks the apps above complaints share (complaints itself registers no admin)."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the system writes and staff only read: nobody adds, edits or deletes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
