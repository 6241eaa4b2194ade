"""The portal's URLs plus the yardsticks every benchmark figure is read against.

``hello`` is the ceiling: the middleware and settings doing no work. The floors do what a
page must before it shows anything, and show nothing:

- ``customer_floor``, any page of a customer's complaint: it authenticates the customer
  from their session and finds the complaint they may see (``visible_complaint``; the pages'
  own check that they are its customer is left out).
- ``track_floor``, the track lookup: the rate limit's count and the form that finds the
  complaint by its number and the customer's email.
- ``filing_floor``, filing a complaint: the customer signed in and the complaint form
  validated; nothing is written.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from complaints.access import visible_complaint
from complaints.forms import ComplaintForm, TrackForm
from complaints_portal.ratelimit import rate_limit
from complaints_portal.urls import urlpatterns as portal_urlpatterns


def hello(request):
    return JsonResponse({"hello": "world"})


@login_required
def customer_floor(request, tracking_number):
    return JsonResponse({"tracking_number": visible_complaint(request, tracking_number).tracking_number})


@require_POST
@rate_limit("track")
def track_floor(request):
    form = TrackForm(request.POST)
    return JsonResponse({"tracking_number": form.complaint.tracking_number if form.is_valid() else None})


@require_POST
@login_required
def filing_floor(request):
    form = ComplaintForm(request.POST, request.FILES)
    return JsonResponse({"valid": form.is_valid()})


urlpatterns = [
    path("bench/hello/", hello),
    # Before the customer's floor, whose tracking number would match these words.
    path("bench/floor/track/", track_floor),
    path("bench/floor/file/", filing_floor),
    path("bench/floor/<str:tracking_number>/", customer_floor),
    *portal_urlpatterns,
]
