"""The portal's admin site: Django's, with the staff's second factor required on every page."""

from django.contrib import admin
from django.urls import reverse
from django.utils.decorators import method_decorator

from accounts import two_factor
from complaints_portal.ratelimit import posted, rate_limit


class PortalAdminSite(admin.AdminSite):
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
