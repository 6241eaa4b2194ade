"""The Content Security Policy header (Django 5.2 has none built in)."""

from django.conf import settings
from django.core.exceptions import SuspiciousOperation


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` on every response.

    Every response, not only pages: a file served to the browser (an attachment, a letter's PDF)
    then cannot run script or be framed either.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class RejectNulInQueryStringMiddleware:
    """Answer 400 to a query string holding a NUL character.

    No stored text holds one, and PostgreSQL refuses one in a query: the admin's list filters
    would fail with a server error. Forms already refuse a NUL in what is posted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            raise SuspiciousOperation("A NUL character in the query string.")
        return self.get_response(request)
