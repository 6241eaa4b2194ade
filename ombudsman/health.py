"""The clock's health: is the sweep still running often enough?"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

import clock
from clock import ClockState
from complaints.models import Complaint
from ombudsman.models import SweepFailure, SweepRun


def clock_health(now=None):
    """Describe the last completed sweep, whether the clock is alive, and what it cannot do.

    ``healthy``: a sweep finished recently enough. ``degraded``: it runs, but some rows keep
    failing (``failing`` counts them) or the last run reported errors (a refused letter, no
    provider scheme): letters or warnings are being held back until someone looks.
    """
    now = now or timezone.now()
    # One query for the last run and the failures' count: every admin page asks.
    failures = SweepFailure.objects.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n")
    last = (SweepRun.objects.filter(finished_at__isnull=False).order_by("-finished_at")
            .annotate(failing=Coalesce(Subquery(failures), 0)).first())
    limit = settings.CLOCK_UNHEALTHY_AFTER
    # With no finished run there are no failures either: they are written by runs.
    failing = last.failing if last is not None else 0
    health = {"healthy": False, "last_sweep_at": None, "age_seconds": None,
              "limit_seconds": int(limit.total_seconds()), "errors": [], "failing": failing}
    if last is not None:
        age = now - last.finished_at
        health.update(healthy=age <= limit, last_sweep_at=last.finished_at, age_seconds=int(age.total_seconds()),
                      errors=last.errors)
    health["degraded"] = bool(failing or health["errors"])
    return health


def warned_open_complaints(now=None):
    """Running complaints whose staff were warned: ADR opens within the warning time."""
    now = now or timezone.now()
    return Complaint.objects.filter(
        clock.state_q(ClockState.RUNNING, now), deadline_warning_sent_at__isnull=False,
        adr_opens_at__lte=now + timedelta(days=settings.ADR_WARNING_DAYS),
    )
