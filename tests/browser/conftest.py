import os

import pytest
from django.test.utils import override_settings
from pytest_django.live_server_helper import LiveServer


@pytest.fixture(scope="session")
def live_server(request):
    """Start pytest-django's live server with a MEDIA_URL Django's test server can parse.

    The portal sets MEDIA_URL to None, since uploads are served only through a
    permission-checked view; Django's live server thread still wraps the site in a media
    handler that needs a URL prefix when it starts. This prefix is never linked to.
    """
    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with override_settings(MEDIA_URL="/test-media-not-served/"):
        server = LiveServer(addr)
    yield server
    server.stop()
