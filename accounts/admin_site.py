"""The portal's admin site (the complaints desk): Django's, with the staff's second factor required
on every page, and the model pages' base, whose lists and choices read as the desk's."""

from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.text import capfirst

from accounts import two_factor
from complaints_portal.ratelimit import posted, rate_limit

# The actions menu's first entry, in words (Django's is "---------").
CHOOSE_AN_ACTION = [("", "Choose an action")]


class PortalAdminSite(admin.AdminSite):
    site_header = "Complaints desk"
    site_title = f"{settings.PROVIDER['short_name']} UK complaints portal"
    index_title = "Home"

    def has_permission(self, request):
        return super().has_permission(request) and two_factor.is_verified(request)

    # Staff log in here too: the same limits as the portal's log in page.
    @method_decorator(rate_limit("login", account=posted("username")))
    def login(self, request, extra_context=None):
        """Send staff who passed the password but not the second factor on to enter a code.

        Without this the admin would show them the log-in form again, as if the password
        were wrong.
        """
        user = request.user
        if request.method == "GET" and user.is_active and user.is_staff and not two_factor.is_verified(request):
            next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
            return two_factor.redirect_to_verify(request, next_url=next_url)
        return super().login(request, extra_context)


class PortalModelAdmin(admin.ModelAdmin):
    """A model's pages on the desk: its list titled by what it lists, its actions menu asking in words."""

    def changelist_view(self, request, extra_context=None):
        # Django titles every list "Select <model> to change"; staff read lists, they do not pick.
        title = capfirst(self.model._meta.verbose_name_plural)
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def get_action_choices(self, request, default_choices=CHOOSE_AN_ACTION):
        return super().get_action_choices(request, default_choices)
