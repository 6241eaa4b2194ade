"""Error reporting: off without SENTRY_DSN; with it, errors go to Sentry without personal data.

Each test runs Django in a fresh process: Sentry's client and its Django and Celery hooks are
process-wide, and settings.py starts them when it is imported.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
# Nothing listens on port 9 here: a stray send fails instead of reaching anyone.
DSN = "http://public@127.0.0.1:9/1"


def run_python(code, **env):
    """Run ``code`` after django.setup() in a fresh process with ``env`` added; return its JSON output."""
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("SENTRY_")}
    environment = {**inherited, "DJANGO_SETTINGS_MODULE": "complaints_portal.settings", **env}
    result = subprocess.run([sys.executable, "-c", f"import django, json, sentry_sdk\ndjango.setup()\n{code}"],
                            cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


DESCRIBE_CLIENT = """
client = sentry_sdk.get_client()
print(json.dumps({"active": client.is_active(), **{key: client.options.get(key) for key in (
    "dsn", "environment", "release", "send_default_pii", "max_request_body_size", "include_local_variables")},
    "integrations": sorted(client.integrations)}))
"""


def test_without_a_dsn_nothing_is_initialised():
    described = run_python(DESCRIBE_CLIENT)

    assert described["active"] is False
    assert described["dsn"] is None


def test_with_a_dsn_the_client_is_configured_without_personal_data():
    described = run_python(DESCRIBE_CLIENT, SENTRY_DSN=DSN, SENTRY_ENVIRONMENT="staging",
                           SENTRY_RELEASE="portal@2026.11.27")

    assert described["active"] is True
    assert described["dsn"] == DSN
    assert (described["environment"], described["release"]) == ("staging", "portal@2026.11.27")
    assert described["send_default_pii"] is False
    assert described["max_request_body_size"] == "never"
    assert described["include_local_variables"] is False
    assert {"django", "celery"} <= set(described["integrations"])


def test_the_environment_defaults_to_the_portal_environment():
    described = run_python(DESCRIBE_CLIENT, SENTRY_DSN=DSN, SENTRY_RELEASE="r1")

    assert described["environment"] == "development"


# Sentry's documented way to see what would be sent: a Transport subclass given to init().
# The script fails a request and a Celery task, then prints the events the transport received.
RECORD_EVENTS = """
import io
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

from celery import shared_task
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from sentry_sdk.transport import Transport

from complaints_portal.error_reporting import init_error_reporting

events = []


class RecordingTransport(Transport):
    def capture_envelope(self, envelope):
        if envelope.get_event() is not None:
            events.append(envelope.get_event())


@csrf_exempt
def complaint_view(request):
    customer_email = request.POST["email"]
    raise RuntimeError("the complaint could not be saved")


@shared_task
def deliver_something():
    raise LookupError("no such letter")


urlpatterns = [path("boom/", complaint_view)]
init_error_reporting(dsn=DSN, environment="staging", release="portal@1", transport=RecordingTransport())
# Through the WSGI handler, as gunicorn calls the portal.
body = urlencode({"email": "dana.customer@example.com", "description": "my broadband"}).encode()
environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/boom/", "REMOTE_ADDR": "203.0.113.9",
           "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
           "HTTP_COOKIE": "sessionid=secret-session", "HTTP_AUTHORIZATION": "Bearer secret-token",
           "wsgi.input": io.BytesIO(body)}
setup_testing_defaults(environ)
with override_settings(ROOT_URLCONF="__main__"):
    get_wsgi_application()(environ, lambda status, headers: None)
deliver_something.apply()
sentry_sdk.flush()
print(json.dumps(events, default=str))
"""


def test_a_failed_request_and_a_failed_task_are_reported_without_personal_data():
    events = run_python(f"DSN = {DSN!r}\n{RECORD_EVENTS}", CELERY_TASK_ALWAYS_EAGER="1")

    errors = {event["exception"]["values"][-1]["type"]: event for event in events}
    assert set(errors) == {"RuntimeError", "LookupError"}
    for event in errors.values():
        assert (event["environment"], event["release"]) == ("staging", "portal@1")
        assert "user" not in event
        frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
        assert all("vars" not in frame for frame in frames)
    request = errors["RuntimeError"]["request"]
    assert request["url"].endswith("/boom/")
    assert "cookies" not in request and not request.get("data")
    assert "REMOTE_ADDR" not in request.get("env", {})
    sent = json.dumps(events)
    for personal in ("dana.customer@example.com", "my broadband", "secret-session", "secret-token", "203.0.113.9"):
        assert personal not in sent
