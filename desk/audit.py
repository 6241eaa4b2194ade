"""The staff access log: who opened which complaint's data, on which staff route, and when."""

from desk.models import ComplaintAccess

WHO_VIEWED_SHOWN = 20


def record_complaint_access(*, staff, kind, complaint_ids):
    """Record that a staff member saw these complaints' data, in one INSERT.

    Called by the desk's staff routes only: customers reading their own complaints are not
    logged. ``kind`` is an ``AccessKind``; an export passes every exported complaint's id.
    """
    ComplaintAccess.objects.bulk_create(
        [ComplaintAccess(staff=staff, complaint_id=complaint_id, kind=kind) for complaint_id in complaint_ids]
    )


def who_viewed(complaint):
    """Return the latest staff accesses to a complaint, newest first, for its desk page."""
    return ComplaintAccess.objects.filter(complaint=complaint).select_related("staff")[:WHO_VIEWED_SHOWN]
