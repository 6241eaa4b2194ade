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


class RejectUnusableQueryMiddleware:
    """Answer 400 to a query string the database cannot take: a NUL character, or a whole
    number of 19 digits or more.

    No stored text holds a NUL, which PostgreSQL refuses in a query, and no id comes near
    2**63, beyond which both databases refuse a number: Django's admin list filters and the
    desk's id parameters would fail with a server error. Forms already refuse a NUL in what is
    posted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            for text in (key, *values):
                digits = text.removeprefix("-")
                if "\x00" in text or (len(digits) >= 19 and digits.isdecimal()):
                    raise SuspiciousOperation("A query string the database cannot take.")
        return self.get_response(request)
