"""Structured logs: LOG_FORMAT=json writes one JSON object a line, tagged with the request or task."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.urls import path

from complaints_portal.logs import JsonFormatter
from ombudsman.tasks import sweep_clocks

PROJECT = Path(__file__).resolve().parents[2]


def logging_view(request):
    logging.getLogger("portal.test").warning("Inside the view")
    return HttpResponse("logged")


urlpatterns = [path("log/", logging_view)]


@pytest.fixture
def json_lines():
    """Capture every log line as the JSON console would write it; return a function reading them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def run_python(code, **env):
    """Run ``code`` after django.setup() in a fresh process with ``env`` added; return the result."""
    inherited = {name: value for name, value in os.environ.items() if name not in ("LOG_FORMAT", "LOG_LEVEL")}
    environment = {**inherited, "DJANGO_SETTINGS_MODULE": "complaints_portal.settings", **env}
    return subprocess.run([sys.executable, "-c", f"import django, logging\ndjango.setup()\n{code}"], cwd=PROJECT,
                          env=environment, capture_output=True, text=True, timeout=60)


def test_a_record_is_one_line_of_json_with_time_level_logger_and_message(json_lines):
    logging.getLogger("portal.test").warning("Two lines\nof %s", "message")

    [line] = json_lines()
    assert line["level"] == "WARNING"
    assert line["logger"] == "portal.test"
    assert line["message"] == "Two lines\nof message"
    assert line["time"].endswith("+00:00")
    assert "request_id" not in line and "task_id" not in line


def test_an_exception_is_a_field_of_its_line(json_lines):
    try:
        raise ValueError("the printer is on fire")
    except ValueError:
        logging.getLogger("portal.test").exception("Could not print")

    [line] = json_lines()
    assert line["message"] == "Could not print"
    assert line["exception"].startswith("Traceback")
    assert "ValueError: the printer is on fire" in line["exception"]


def test_a_request_gets_an_id_in_its_response_and_its_log_lines(client, db, json_lines):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert line["request_id"] == request_id


@pytest.mark.urls(__name__)
def test_lines_logged_while_a_request_is_handled_carry_its_id_and_later_lines_do_not(client, json_lines):
    response = client.get("/log/")
    logging.getLogger("portal.test").warning("After the request")

    inside, after = [line for line in json_lines() if line["logger"] == "portal.test"]
    assert inside["message"] == "Inside the view"
    assert inside["request_id"] == response.headers["X-Request-ID"]
    assert "request_id" not in after


def test_a_response_logged_after_the_middleware_keeps_its_request_id(client, db, json_lines):
    # No sweep yet: /healthz answers 503, which Django logs once the middleware has returned.
    response = client.get("/healthz")

    assert response.status_code == 503
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert line["level"] == "ERROR"
    assert line["request_id"] == response.headers["X-Request-ID"]


def test_the_proxys_request_id_is_kept_when_it_is_sane(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a.91"})

    assert response.headers["X-Request-ID"] == "edge-7f3a.91"


@pytest.mark.parametrize(
    "incoming", ["two words", "x" * 200, "evil\",\"level\":\"INFO"], ids=["space", "long", "quote"]
)
def test_an_odd_request_id_from_outside_is_replaced(client, db, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})

    assert response.headers["X-Request-ID"] != incoming
    assert len(response.headers["X-Request-ID"]) == 32


def test_a_tasks_log_lines_carry_its_id_and_name(db, json_lines):
    result = sweep_clocks.apply()

    [line] = [line for line in json_lines() if line["logger"] == "ombudsman.sweep"]
    assert line["message"].startswith("Clock sweep as of")
    assert line["task_id"] == result.id
    assert line["task"] == "ombudsman.tasks.sweep_clocks"


def test_log_format_json_makes_the_console_write_json():
    result = run_python("logging.getLogger('portal.test').warning('hello')", LOG_FORMAT="json", LOG_LEVEL="INFO")

    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "portal.test", "hello")


def test_the_console_stays_plain_text_by_default():
    result = run_python("logging.getLogger('portal.test').warning('hello')")

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("WARNING portal.test hello")


def test_a_celery_worker_keeps_the_json_console():
    # What a worker does at start-up: Celery replaces the root logger's handlers unless told not to.
    code = ("from complaints_portal.celery import app\napp.log.setup(loglevel='INFO')\n"
            "logging.getLogger('portal.test').warning('from the worker')")
    result = run_python(code, LOG_FORMAT="json")

    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "from the worker"


def test_an_unknown_log_format_is_refused():
    result = run_python("", LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be 'plain' or 'json'" in result.stderr
