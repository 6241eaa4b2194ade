from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import Group
from django.template.defaultfilters import pluralize

from accounts import recovery_codes, two_factor
from accounts.admin_site import PortalModelAdmin
from accounts.forms import CUSTOMER_FIELDS, STAFF_CONSENT_LABEL, CustomerDetailsForm
from accounts.models import ADR_MAX_BUSINESS_WORKERS, Authenticator, User


class UserChangeForm(auth_forms.UserChangeForm, CustomerDetailsForm):
    class Meta:
        model = User
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_consent"].label = STAFF_CONSENT_LABEL


class UserCreationForm(auth_forms.AdminUserCreationForm, CustomerDetailsForm):
    """Create a customer who phoned or wrote in (no password, perhaps no email), or staff."""

    class Meta:
        model = User
        fields = ("email", *CUSTOMER_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_consent"].label = STAFF_CONSENT_LABEL
        # Most records created here are phone and letter customers: they choose their own
        # password later, by signing up with the same email address.
        self.fields["usable_password"].initial = "false"
        self.fields["usable_password"].help_text = (
            "Leave disabled for a customer: they set a password themselves by signing up on the portal "
            "with the same email address. Enable it for staff."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("set_usable_password") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", "A password is no use without an email address to log in with.")
        return cleaned


@admin.register(User)
class UserAdmin(PortalModelAdmin, auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("full_name", "email", "customer_type", "business_workers", "preferred_contact",
                    "can_log_in", "is_staff")
    list_filter = ("is_staff", "is_active", "customer_type", "preferred_contact", "groups")
    search_fields = ("email", "full_name", "business_name", "phone", "postcode")
    ordering = ("full_name", "email")
    readonly_fields = ("support_consent_at", "last_login", "date_joined", "two_factor_status")
    actions = ["reset_two_factor"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Contact details", {"fields": ("full_name", "phone", "address", "postcode", "preferred_contact")}),
        ("Customer type", {
            "fields": ("customer_type", "business_name", "business_workers"),
            "description": f"Decides the customer's right to ADR: domestic customers and businesses with "
                           f"{ADR_MAX_BUSINESS_WORKERS} or fewer workers have it.",
        }),
        ("Support needs (kept only with the customer's explicit consent)", {
            "fields": ("support_consent", "support_consent_at", "accessibility_needs", "vulnerable",
                       "vulnerability_notes", "preferred_format"),
            "description": "Unticking consent erases the support needs.",
        }),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions",
                                    "two_factor_status")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {
            "classes": ("wide",),
            "fields": ("email", "full_name", "phone", "address", "postcode", "preferred_contact",
                       "customer_type", "business_name", "business_workers"),
        }),
        ("Support needs (kept only with the customer's explicit consent)", {
            "classes": ("wide",),
            "fields": ("support_consent", "accessibility_needs", "vulnerable", "vulnerability_notes",
                       "preferred_format"),
        }),
        ("Password", {"classes": ("wide",), "fields": ("usable_password", "password1", "password2")}),
    )

    @admin.display(boolean=True, description="Can log in")
    def can_log_in(self, user):
        return user.is_claimed

    @admin.display(description="Two-factor authentication")
    def two_factor_status(self, user):
        # The status only: the secret never leaves the set-up page.
        authenticator = Authenticator.objects.filter(user=user).only("confirmed_at").first()
        if authenticator is None:
            return "Not set up: asked to set up an authenticator app at the next staff log in."
        if not authenticator.is_confirmed:
            return "Set-up started, not confirmed yet."
        left = recovery_codes.remaining(authenticator)
        return (f"Authenticator app confirmed on {authenticator.confirmed_at:%d %B %Y}; "
                f"{left} unused recovery code{pluralize(left)}.")

    def has_reset_two_factor_permission(self, request):
        return request.user.is_superuser

    @admin.action(description="Reset two-factor authentication (lost or replaced phone)",
                  permissions=["reset_two_factor"])
    def reset_two_factor(self, request, queryset):
        reset = [user for user in queryset if two_factor.reset(user=user, actor=request.user)]
        if reset:
            self.message_user(request, f"Reset two-factor authentication for {len(reset)} account(s): "
                                       f"their recovery codes no longer work, and they set up a new authenticator "
                                       f"app when they next log in.",
                              messages.SUCCESS)
        else:
            self.message_user(request, "None of those accounts had an authenticator app to reset.", messages.WARNING)


# Django registers the staff groups' pages itself; registered again to read as the desk's pages.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PortalModelAdmin, auth_admin.GroupAdmin):
    """The staff groups and the permissions each gives."""
