"""The Content Security Policy header (Django 5.2 has none built in)."""

from django.conf import settings


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
