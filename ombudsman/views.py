"""The customer's ombudsman page, letter downloads and the /healthz probe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

import clock
from clock import uk_today
from complaints import access, printing
from complaints.access import to_the_desk, visible_complaint
from complaints.models import AccessKind, Status
from complaints.tracking import normalise_tracking_number
from ombudsman import services
from ombudsman.forms import ReferralForm
from ombudsman.health import clock_health
from ombudsman.models import Letter, Referral, Scheme


def adr_panel(complaint, now=None, *, provider_scheme=None):
    """Return what a complaint's page shows about letters and the way to the ombudsman.

    Pass provider_scheme when the page has already read it, so that it is not read twice.
    """
    now = now or timezone.now()
    opens_at = clock.referral_opens_at(complaint)
    if opens_at is None or now < opens_at:
        # Writing a letter opens the way to ADR and a referral is refused before it opens,
        # and the moment it opens never moves later: until then there is nothing to read.
        complaint_letters, referral = [], None
    else:
        # Their schemes as this process keeps them, not joined to each row.
        complaint_letters = list(complaint.letters.defer("pdf", "html").order_by("created_at", "pk"))
        referral = Referral.objects.filter(complaint=complaint).first()
    latest = max(complaint_letters, key=lambda letter: (letter.letter_date, letter.pk), default=None)
    today = uk_today(now)
    may_refer = complaint.is_adr_eligible(now)
    if referral or latest:
        scheme_id = (referral or latest).scheme_id
        # Usually the provider's scheme, which the page has read already.
        read = provider_scheme and provider_scheme.pk == scheme_id
        scheme = provider_scheme if read else Scheme.objects.kept(scheme_id)
    else:
        scheme = provider_scheme or Scheme.objects.provider_scheme()
    return {
        "letters": complaint_letters,
        "latest_letter": latest,
        "referral": referral,
        # The way to the ombudsman shows while the customer may refer, and for the referral made.
        "open": complaint.adr_rights and (may_refer or referral is not None),
        "may_refer": may_refer,
        # The time to refer (12 months from the latest letter) passed without a referral: the
        # page still says how to contact the scheme, which may take a late referral.
        "expired": complaint.adr_rights and referral is None and complaint.status != Status.WITHDRAWN
        and complaint.refer_by is not None and complaint.refer_by < today,
        "scheme": scheme,
        "refer_by": complaint.refer_by,
        "today": today,
    }


@login_required
def ombudsman_page(request, tracking_number):
    """Take your complaint to the ombudsman: only once the complaint is eligible and has ADR rights."""
    complaint = visible_complaint(request, normalise_tracking_number(tracking_number) or "")
    if complaint.customer_id != request.user.pk:
        return to_the_desk(complaint)
    if complaint.merged_into_id:
        # A duplicate's number still finds the complaint it was merged into.
        return redirect("ombudsman:refer", complaint.merged_into.tracking_number)
    panel = adr_panel(complaint)
    if not (panel["open"] or panel["expired"]) or panel["scheme"] is None:
        raise Http404("This complaint cannot go to the ombudsman.")
    form = None
    if panel["referral"] is None and panel["may_refer"]:
        form = ReferralForm(request.POST or None, initial={"referred_on": panel["today"]})
        if request.method == "POST" and form.is_valid():
            try:
                services.record_referral(
                    complaint=complaint, actor=request.user, referred_on=form.cleaned_data["referred_on"],
                    case_reference=form.cleaned_data["case_reference"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Thank you: we have recorded that you took your complaint to the scheme.")
                return redirect("ombudsman:refer", complaint.tracking_number)
    return render(request, "ombudsman/refer.html", {
        **panel, "complaint": complaint, "form": form,
    })


@login_required
def letter_pdf(request, tracking_number, letter_id):
    """Serve a letter's PDF to the complaint's customer, or to staff, recording that they opened it."""
    if unverified := access.second_factor_first(request):
        return unverified
    complaint = visible_complaint(request, normalise_tracking_number(tracking_number) or "")
    letter = get_object_or_404(Letter.objects.select_related("complaint"), pk=letter_id, complaint=complaint)
    if complaint.customer_id != request.user.pk:
        # Only staff get here (visible_complaint let them in): those who may read letters.
        if not request.user.has_perm("ombudsman.view_letter"):
            raise PermissionDenied
        access.record_access(staff=request.user, kind=AccessKind.LETTER_PDF, complaint_ids=[complaint.pk])
    return printing.pdf_response(letter)


@never_cache
def healthz(request):
    """Report whether the database answers and the clock sweep runs: 200 ok, 200 degraded, or 503.

    Degraded: the sweep runs, but some rows keep failing or its last run reported errors;
    ``clock.problems`` says what, for monitoring to raise with someone.
    """
    body = {"database": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        clock = clock_health()
    except DatabaseError as exc:
        body["database"] = f"error: {type(exc).__name__}"
        return JsonResponse({"status": "unhealthy", **body}, status=503)
    problems = []
    if clock["failing"]:
        problems.append(f"{clock['failing']} row(s) keep failing in the clock sweep")
    if clock["errors"]:
        problems.append(f"the last sweep reported {len(clock['errors'])} error(s)")
    body["clock"] = {
        "healthy": clock["healthy"],
        "last_sweep_at": clock["last_sweep_at"].isoformat() if clock["last_sweep_at"] else None,
        "age_seconds": clock["age_seconds"],
        "limit_seconds": clock["limit_seconds"],
        "failing": clock["failing"],
        "problems": problems,
    }
    if not clock["healthy"]:
        return JsonResponse({"status": "unhealthy", **body}, status=503)
    return JsonResponse({"status": "degraded" if problems else "ok", **body})
