from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import services, two_factor
from accounts.forms import ConfirmationLinkForm, LoginForm, PasswordResetForm, ProfileForm, SignUpForm
from complaints_portal.ratelimit import posted, rate_limit


def _safe_next(request):
    """Return the ``next`` address if it stays on this site, else an empty string."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@method_decorator(rate_limit("login", account=posted("username")), name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        # Staff work in the admin; the customers' pages are not theirs.
        if self.request.user.is_staff:
            return reverse("admin:index")
        return super().get_default_redirect_url()


@rate_limit("signup", account=posted("email"))
def signup(request):
    """Take a customer's sign-up and send them to check their email.

    The answer is the same whoever holds the address (nobody, a customer, staff, a record staff
    made from a phone call): only the address's owner learns, by email, what happened
    (services.sign_up). A new account cannot log in until the emailed link confirms the address.
    """
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "complaints:mine")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.sign_up(form)
        return redirect("accounts:claim_sent")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


def claim_sent(request):
    """The "check your email" page, after any sign-up or request for a new link."""
    return render(request, "accounts/claim_sent.html", {"link_hours": settings.SIGNUP_CONFIRMATION_HOURS})


@require_http_methods(["GET", "POST"])
def confirm_sign_up(request, token):
    """Follow a sign-up's emailed link: a page names the address, and its button (a POST with
    CSRF) confirms it, logs in, and goes to the complaint form.

    Only the button acts: a mail scanner that opens the link uses nothing up, and someone sent
    another's link sees whose address it confirms before anything happens. A link that is too
    old, used or not ours says so (never an error page) and offers a new one.
    """
    try:
        if request.method == "GET":
            pending = services.check_confirmation_link(token)
            return render(request, "accounts/confirm_sign_up.html", {"email": pending.email})
        user = services.confirm_sign_up(token)
    except services.ConfirmationLinkError as problem:
        if request.user.is_authenticated:
            if problem.user is not None and problem.user.pk == request.user.pk:
                return redirect("complaints:new")  # their own link again: they are in already
            return redirect("complaints:mine")
        return render(request, "accounts/confirmation_link.html", {
            "reason": problem.reason, "form": ConfirmationLinkForm(),
            "link_hours": settings.SIGNUP_CONFIRMATION_HOURS,
        })
    login(request, user)
    messages.success(request, "Thank you: your email address is confirmed and you are logged in. "
                              "Tell us about your complaint below.")
    return redirect("complaints:new")


@rate_limit("signup", account=posted("email"))
def resend_confirmation(request):
    """Send a new link to confirm a sign-up; answered as a sign-up is, the same for any address."""
    if request.user.is_authenticated:
        return redirect("complaints:mine")
    form = ConfirmationLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.resend_confirmation_link(email=form.cleaned_data["email"])
        return redirect("accounts:claim_sent")
    return render(request, "accounts/confirmation_link.html", {
        "reason": "", "form": form, "link_hours": settings.SIGNUP_CONFIRMATION_HOURS,
    })


@login_required
def profile(request):
    """Let a customer change their details and their consent to keep support needs."""
    if request.user.is_staff:
        return redirect("admin:index")
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        withdrew = form.withdraws_support_consent
        form.save()
        messages.success(request, "Your details are saved.")
        if withdrew:
            messages.info(request, "As you asked, we have erased your support needs.")
        return redirect("accounts:profile")
    if request.method == "POST":
        # The form failed: show the details as saved, not the half-applied ones.
        request.user.refresh_from_db()
    return render(request, "accounts/profile.html", {
        "form": form,
    })


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")

    # Marked before the gate runs, so an error report from it never shows the passwords typed.
    @method_decorator(sensitive_post_parameters())
    def dispatch(self, request, *args, **kwargs):
        # Someone holding only a staff member's password must not lock them out of it.
        if request.user.is_authenticated and request.user.is_staff and not two_factor.is_verified(request):
            return two_factor.redirect_to_verify(request)
        return super().dispatch(request, *args, **kwargs)


@method_decorator(rate_limit("password_reset", account=posted("email")), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")
