"""The staff's second-factor pages: enter a code, or set up an authenticator app first."""

import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from accounts import totp, two_factor

CODE = re.compile(rf"^[0-9]{{{totp.DIGITS}}}$")
WRONG_CODE = ("That code did not work. Enter the 6-digit code your authenticator app shows now "
              "(each code works only once).")


class CodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your authenticator app", max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not CODE.match(code):
            raise ValidationError("Enter the 6 digits your authenticator app shows, for example 123456.")
        return code


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _locked_message(until):
    return (f"Too many wrong codes. For your security, codes are not checked until "
            f"{timezone.localtime(until):%H:%M}. Then enter the code your app shows.")


def _staff_only(view):
    @login_required
    @never_cache
    def wrapped(request):
        if not request.user.is_staff:
            raise Http404
        return view(request, _next_url(request))

    wrapped.__doc__ = view.__doc__
    return wrapped


@_staff_only
def verify(request, next_url):
    """Ask a staff member for a code from their authenticator app, then send them on."""
    authenticator = two_factor.confirmed_authenticator(request.user)
    if authenticator is None:
        return redirect(f"{reverse('accounts:two_factor_setup')}?{request.GET.urlencode()}")
    if two_factor.is_verified(request):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request, authenticator=authenticator, code=form.cleaned_data["code"]):
            return redirect(next_url)
        until = authenticator.locked_until()
        form.add_error("code", _locked_message(until) if until else WRONG_CODE)
    return render(request, "accounts/two_factor.html", {"form": form, "next": next_url})


@_staff_only
def setup(request, next_url):
    """Show a new authenticator's secret and confirm it with the first code the app shows."""
    if two_factor.confirmed_authenticator(request.user) is not None:
        # Only a superuser's reset replaces a confirmed authenticator: a stolen password must
        # not be enough to add the thief's phone.
        return redirect(two_factor.verify_url(next_url))
    authenticator = two_factor.pending_authenticator(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.confirm_setup(request, authenticator=authenticator, code=form.cleaned_data["code"]):
            return redirect(next_url)
        until = authenticator.locked_until()
        form.add_error("code", _locked_message(until) if until else WRONG_CODE)
    secret = authenticator.secret
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "next": next_url,
        "secret_groups": [secret[i:i + 4] for i in range(0, len(secret), 4)],
        "uri": two_factor.setup_uri(authenticator),
    })
