"""The portal's URLs plus a "hello world" view, the yardstick for every benchmark figure."""

from django.http import JsonResponse
from django.urls import path

from complaints_portal.urls import urlpatterns as portal_urlpatterns


def hello(request):
    return JsonResponse({"hello": "world"})


urlpatterns = [path("bench/hello/", hello), *portal_urlpatterns]
