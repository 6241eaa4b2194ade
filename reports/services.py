"""Reports workflows: the managers' weekly digest."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.roles import COMPLAINT_MANAGERS
from complaints import outbox
from complaints.models import EmailKind
from reports.figures import Figures
from reports.models import DigestWeek
from reports.periods import Period
from reports.queries import Scope
from reports.report import forecast_table, headline_table


def digest_recipients():
    """Return the managers (and superusers) who can be emailed."""
    return (
        get_user_model().objects.filter(is_active=True, is_staff=True, email__isnull=False)
        .filter(Q(is_superuser=True) | Q(groups__name=COMPLAINT_MANAGERS))
        .exclude(email="").distinct().order_by("email")
    )


@transaction.atomic
def send_weekly_digest(*, now=None):
    """Queue, for every manager, an email with last week's headline figures and the breach
    forecast as it stands now. Return the queued emails: none if that week's digest was
    queued already (beat reruns a missed task, and a second beat may run by mistake).
    """
    now = now or timezone.now()
    scope = Scope(period=Period.previous_week(now))
    # The unique week claims the digest: a concurrent second run waits on the insert, then
    # finds the row and sends nothing.
    _week, created = DigestWeek.objects.get_or_create(week_beginning=scope.period.first,
                                                       defaults={"queued_at": now})
    if not created:
        return []
    query = urlencode({"date_from": scope.period.first.isoformat(), "date_to": scope.period.last.isoformat()})
    figures = Figures(scope, now)
    context = {
        "period": scope.period,
        "headline": headline_table(figures),
        "forecast": forecast_table(figures),
        "report_url": outbox.absolute_url(f"{reverse('reports:index')}?{query}"),
    }
    return [
        outbox.queue_email(kind=EmailKind.DIGEST, to=manager.email, template="reports/email/digest",
                           context={**context, "manager": manager})
        for manager in digest_recipients()
    ]
