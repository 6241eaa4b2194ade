"""Which complaint a request may see on the customers' pages: the one lookup their views make.

Complaint.objects.visible_to decides who may see a complaint; this gives it the request's
user and whether the session passed the second factor, so no view works that out itself.
"""

from django.shortcuts import get_object_or_404, redirect

from accounts import two_factor
from complaints.models import Complaint


def visible_complaint(request, tracking_number):
    """Return the complaint the user may see, or raise 404 (never 403: others' complaints do not exist)."""
    visible = Complaint.objects.visible_to(request.user, second_factor_passed=two_factor.is_verified(request))
    return get_object_or_404(visible, tracking_number=tracking_number)


def to_the_desk(complaint):
    """Send staff to the complaint's desk page, which records that they opened it."""
    return redirect("admin:complaints_complaint_change", complaint.pk)
