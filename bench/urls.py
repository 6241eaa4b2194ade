"""The portal's URLs plus the yardsticks every benchmark figure is read against.

``hello`` is the ceiling: the middleware and settings doing no work. ``customer_floor`` is
the least any page of a customer's complaint does: it authenticates the customer from their
session and finds the complaint they may see (``visible_complaint``; the pages' own check
that they are its customer is left out), and shows nothing of it.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import path

from complaints.access import visible_complaint
from complaints_portal.urls import urlpatterns as portal_urlpatterns


def hello(request):
    return JsonResponse({"hello": "world"})


@login_required
def customer_floor(request, tracking_number):
    return JsonResponse({"tracking_number": visible_complaint(request, tracking_number).tracking_number})


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/floor/<str:tracking_number>/", customer_floor),
    *portal_urlpatterns,
]
