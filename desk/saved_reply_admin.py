"""The saved replies' admin: managers keep them, agents read them (permissions from desk's migrations)."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from accounts.admin_site import PortalModelAdmin
from desk import saved_replies
from desk.models import SavedReply


def placeholder_help():
    """Say how placeholders work, listing each from ``saved_replies.PLACEHOLDERS``."""
    return format_html(
        "Placeholders are filled in for the complaint when an agent inserts the reply, and the agent edits "
        "the text before sending. Nothing else is filled in or run. The placeholders are:<ul>{}</ul>",
        format_html_join("", "<li><code>{}</code>: {}</li>", saved_replies.tokens()),
    )


@admin.register(SavedReply)
class SavedReplyAdmin(PortalModelAdmin):
    list_display = ["title", "is_active", "updated_at", "updated_by_name"]
    list_filter = ["is_active"]
    search_fields = ["title", "body"]
    list_select_related = ["updated_by"]
    readonly_fields = ["created_at", "created_by_name", "updated_at", "updated_by_name"]

    def get_fields(self, request, obj=None):
        # Who wrote and changed a reply, and when, once there is one.
        return ["title", "body", "is_active", *(self.readonly_fields if obj else [])]

    @admin.display(description="written by")
    def created_by_name(self, reply):
        return reply.created_by.full_name

    @admin.display(description="last changed by", ordering="updated_by__full_name")
    def updated_by_name(self, reply):
        return reply.updated_by.full_name

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body":
            field.help_text = placeholder_help()
        return field

    def save_model(self, request, obj, form, change):
        saved_replies.save_saved_reply(reply=obj, actor=request.user)
