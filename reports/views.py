import csv
import functools

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import two_factor
from accounts.roles import is_manager
from reports import report, snapshots
from reports.forms import ReportFilterForm


def manager_required(view):
    """Let complaint managers in once they pass the second factor; send others to log in, or refuse them (403)."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied
        if not two_factor.is_verified(request):
            return two_factor.redirect_to_verify(request)
        return view(request, *args, **kwargs)

    return wrapped


def _form(request):
    form = ReportFilterForm(request.GET or None)
    if not form.is_bound:
        form.initial = {"date_from": form.default_period.first, "date_to": form.default_period.last}
    return form


@require_http_methods(["GET", "HEAD", "POST"])
@manager_required
def index(request):
    """Show the report's figures as last read; a POST (the page's button) reads them again now."""
    form = _form(request)
    scope = form.scope()
    query = request.GET.urlencode()
    if request.method == "POST":
        snapshots.take(scope)
        return redirect(f"{reverse('reports:index')}{'?' if query else ''}{query}")
    snapshot = snapshots.latest(scope)
    return render(request, "reports/index.html", {
        "scope": scope, "query": query, "filters": form.html(), "figures": snapshot.html,
        "generated_at": snapshot.taken_at, "kept_for": _kept_for(settings.REPORTS_CACHE_SECONDS),
    })


def _kept_for(seconds):
    """Say how long figures are kept: "5 minutes", "90 seconds", or "" when they are not."""
    if not seconds:
        return ""
    count, unit = (seconds // 60, "minute") if seconds % 60 == 0 else (seconds, "second")
    return f"{count} {unit}{'' if count == 1 else 's'}"


@manager_required
def download(request, table):
    """Send one of the report's tables, with the page's filters, as a CSV file."""
    if table not in report.TABLES:
        raise Http404("No such table.")
    scope = _form(request).scope()
    # The figures kept when the download is asked for: the page's own, unless they have been
    # read again since (by beat, or a manager's Recalculate) or have expired.
    built = snapshots.latest(scope).tables[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{table}-{scope.period.first:%Y%m%d}-{scope.period.last:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerows(built.csv_rows())
    return response
