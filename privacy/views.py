"""The customer's own data: download a copy, close the account."""

import tempfile

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control

from clock import uk_today
from privacy import export, services
from privacy.forms import CloseAccountForm


@login_required
def my_data(request):
    """Send the customer a zip of their data: profile, complaints, messages, attachments, letters."""
    if request.user.is_staff:
        # Staff answer subject access requests in the admin; this page is the customer's own.
        return redirect("admin:privacy_subjectaccessrequest_changelist")
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    export.write_archive(request.user, archive)
    archive.seek(0)
    today = uk_today()
    response = FileResponse(archive, as_attachment=True, filename=f"my-data-{today:%Y-%m-%d}.zip",
                            content_type="application/zip")
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
def close_account(request):
    """Close the customer's account once they confirm with their password."""
    if request.user.is_staff:
        return redirect("admin:index")
    open_complaints = list(request.user.complaints.open().order_by("received_at", "pk"))
    form = CloseAccountForm(request.POST or None, customer=request.user, open_complaints=len(open_complaints))
    if request.method == "POST" and form.is_valid():
        services.close_account(customer=request.user, withdraw_open=form.cleaned_data.get("withdraw_open", False))
        logout(request)
        return redirect("privacy:account_closed")
    return render(request, "privacy/close_account.html", {
        "form": form, "open_complaints": open_complaints, "retention_years": settings.RETENTION_YEARS,
    })


def account_closed(request):
    return render(request, "privacy/account_closed.html")
