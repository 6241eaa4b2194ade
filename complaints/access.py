"""Who may see a complaint, and the record of every time staff saw one.

Complaint.objects.visible_to decides who may see a complaint; ``visible_complaint`` gives
it the request's user and whether the session passed the second factor, so no customers'
view works that out itself. Every staff route that shows a complaint's data calls
``record_access`` itself, whichever app it belongs to.
"""

from datetime import timedelta

from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from accounts import two_factor
from complaints.models import AccessKind, Complaint, ComplaintAccess

WHO_VIEWED_SHOWN = 20
# How recently another staff member must have opened a complaint's page to count as "here".
HERE_MINUTES = 5


def visible_complaint(request, tracking_number):
    """Return the complaint the user may see, or raise 404 (never 403: others' complaints do not exist)."""
    visible = Complaint.objects.visible_to(request.user, second_factor_passed=two_factor.is_verified(request))
    return get_object_or_404(visible, tracking_number=tracking_number)


def second_factor_first(request):
    """Return the way to the code page for staff who typed only their password, else None.

    Staff routes among the customers' (an attachment, a letter's PDF) send them there, as
    the admin does, rather than answer 404 as they would a stranger.
    """
    if request.user.is_staff and not two_factor.is_verified(request):
        return two_factor.redirect_to_verify(request, request.get_full_path())
    return None


def to_the_desk(complaint):
    """Send staff from a customer's page to the complaint's page in the admin, where staff work."""
    return redirect("admin:complaints_complaint_change", complaint.pk)


def record_access(*, staff, kind, complaint_ids):
    """Record that a staff member saw these complaints' data, in one INSERT.

    Called by staff routes only: customers reading their own complaints are not logged.
    ``kind`` (an ``AccessKind``) says what was seen; an export passes every exported
    complaint's id.
    """
    ComplaintAccess.objects.bulk_create(
        [ComplaintAccess(staff=staff, complaint_id=complaint_id, kind=kind) for complaint_id in complaint_ids]
    )


def who_viewed(complaint):
    """Return the latest staff accesses to a complaint, newest first, for its desk page."""
    return ComplaintAccess.objects.filter(complaint=complaint).select_related("staff")[:WHO_VIEWED_SHOWN]


def others_here(complaint, *, staff, now=None):
    """Return the other staff who opened the complaint's page in the last few minutes, latest first.

    Each is a dict with ``name`` and ``at`` (their latest opening).
    """
    since = (now or timezone.now()) - timedelta(minutes=HERE_MINUTES)
    recent = (ComplaintAccess.objects.filter(complaint=complaint, kind=AccessKind.COMPLAINT_PAGE, at__gte=since)
              .exclude(staff=staff).values("staff__full_name", "staff__email").annotate(at=Max("at")).order_by("-at"))
    return [{"name": row["staff__full_name"] or row["staff__email"], "at": row["at"]} for row in recent]
