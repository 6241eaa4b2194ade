from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"
    # The admin's config below lives here too, so Django needs telling which one "accounts" means.
    default = True

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import staff_sessions

        # A staff session's limits start at log in (auth plumbing, not domain flow).
        user_logged_in.connect(staff_sessions.start, dispatch_uid="staff_session_start")


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the site that requires staff to pass the second factor."""

    default = False
    default_site = "accounts.admin_site.PortalAdminSite"
