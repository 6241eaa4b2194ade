from django import template
from django.urls import reverse

from common.counts import count_each
from complaints.models import PostalLetter, PostStatus
from ombudsman import views
from ombudsman.health import clock_health, warned_open_complaints
from ombudsman.models import Letter, LetterStatus, Referral

register = template.Library()

BANNER_COUNT_CAP = 100


def letters_waiting_to_print():
    """Return the letters waiting to be printed and posted, by source: the ombudsman's and the complaints app's.

    The one definition of a waiting letter: the banner counts these and the desk's print queue lists them.
    """
    return {
        "letter": Letter.objects.filter(status=LetterStatus.PRINT_QUEUED),
        "postal": PostalLetter.objects.filter(status=PostStatus.PRINT_QUEUED),
    }


@register.simple_tag
def adr_panel(complaint, provider_scheme=None):
    """Return the letters and the way to the ombudsman for a complaint's page."""
    return views.adr_panel(complaint, provider_scheme=provider_scheme)


@register.inclusion_tag("admin/ombudsman/_clock_banner.html", takes_context=True)
def clock_banner(context):
    """Show staff in the admin whether the clock runs, and what needs their attention.

    Every admin page shows it: its counts are read in one query, the clock's health in another.
    """
    request = context.get("request")
    if request is None or not request.user.is_active or not request.user.is_staff:
        return {"show": False}
    can_see_failures = request.user.has_perm("ombudsman.view_sweepfailure")
    waiting = letters_waiting_to_print()
    counts = count_each(
        letters_to_print=waiting["letter"],
        postal_letters_to_print=waiting["postal"],
        failing_letters=Letter.objects.filter(status=LetterStatus.PENDING).exclude(last_error=""),
        compliance_overdue=Referral.objects.filter(complied_on__isnull=True, compliance_overdue_at__isnull=False),
        # Capped: counting every warned complaint of a large portal on each admin page costs too much.
        warned_open=warned_open_complaints()[:BANNER_COUNT_CAP],
    )
    return {
        "show": True,
        "health": clock_health(),
        "failures_url": reverse("admin:ombudsman_sweepfailure_changelist") if can_see_failures else "",
        "print_queue": counts["letters_to_print"] + counts["postal_letters_to_print"],
        "failing_letters": counts["failing_letters"],
        "compliance_overdue": counts["compliance_overdue"],
        "warned_open": counts["warned_open"],
        "warned_cap": BANNER_COUNT_CAP,
    }
