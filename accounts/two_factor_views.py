"""The staff's second-factor pages: enter a code or a recovery code, set up an app, renew recovery codes."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache

import clock
from accounts import recovery_codes, totp, two_factor

CODE = re.compile(rf"^[0-9]{{{totp.DIGITS}}}$")
WRONG_CODE = ("That code did not work. Enter the 6-digit code your authenticator app shows now "
              "(each code works only once).")
WRONG_RECOVERY_CODE = ("That recovery code did not work. Check it against the list you saved: each recovery code "
                       "works only once.")


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


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label="Recovery code", max_length=40,
        help_text="One of the codes you saved when you set up your app, for example 7KQ2M-9XW4D.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                      "autofocus": True}),
    )

    def clean_code(self):
        code = recovery_codes.normalise(self.cleaned_data["code"])
        if code is None:
            raise ValidationError("Enter a recovery code: 10 letters and digits, for example 7KQ2M-9XW4D.")
        return code


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _locked_message(until, then="enter the code your app shows"):
    return (f"Too many wrong codes. For your security, codes are not checked until "
            f"{clock.uk_time(until):%H:%M}. Then {then}.")


def _with_next(name, next_url):
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _show_recovery_codes(request, codes, next_url):
    # Rendered in answer to the POST that made them, never redirected to: the codes are in no
    # session, log or database, so reloading cannot show them again.
    return render(request, "accounts/two_factor_recovery_codes_new.html", {"codes": codes, "next": next_url})


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
        codes = two_factor.confirm_setup(request, authenticator=authenticator, code=form.cleaned_data["code"])
        if codes is not None:
            return _show_recovery_codes(request, codes, next_url)
        until = authenticator.locked_until()
        form.add_error("code", _locked_message(until) if until else WRONG_CODE)
    secret = authenticator.secret
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "next": next_url,
        "secret_groups": [secret[i:i + 4] for i in range(0, len(secret), 4)],
        "uri": two_factor.setup_uri(authenticator),
    })


@_staff_only
def recovery(request, next_url):
    """Let a staff member without their phone pass the second factor with a recovery code."""
    authenticator = two_factor.confirmed_authenticator(request.user)
    if authenticator is None:
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    if two_factor.is_verified(request):
        return redirect(next_url)
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify_recovery_code(request, authenticator=authenticator, code=form.cleaned_data["code"]):
            messages.success(request, "Recovery code accepted. It will not work again.")
            return redirect(_with_next("accounts:two_factor_recovery_codes", next_url))
        until = authenticator.locked_until()
        form.add_error("code", _locked_message(until, "try your recovery code again") if until else WRONG_RECOVERY_CODE)
    return render(request, "accounts/two_factor_recovery.html", {"form": form, "next": next_url})


@_staff_only
def recovery_codes_page(request, next_url):
    """Say how many recovery codes are left; on a POST, replace them with a new set, shown once."""
    if not two_factor.is_verified(request):
        return two_factor.redirect_to_verify(request)
    authenticator = two_factor.confirmed_authenticator(request.user)
    if request.method == "POST":
        return _show_recovery_codes(request, two_factor.new_recovery_codes(authenticator), next_url)
    left = recovery_codes.remaining(authenticator)
    return render(request, "accounts/two_factor_recovery_codes.html", {
        "left": left, "few": left <= recovery_codes.FEW, "next": next_url,
    })
