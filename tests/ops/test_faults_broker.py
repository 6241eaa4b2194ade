"""The broker is down while a customer files a complaint: nothing is lost, nothing is sent twice.

The portal runs as it does in production, a gunicorn process configured from the
environment, with CELERY_BROKER_URL on a Redis port where nothing listens, or where
something takes the connection and never answers. When the broker is back (a Redis test
database), a real Celery worker with its beat sweep delivers the acknowledgement.

The helpers that serve the portal and visit it over HTTP are also used by
test_faults_database.py.
"""

import http.client
import re
import socket
import sqlite3
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from celery import current_app
from django.conf import settings as django_settings
from django.db import connection

from complaints.models import EmailStatus
from complaints.tasks import deliver_email
from tests.complaints.conftest import complaint_data
from tests.conftest import redis_test_url
from tests.ombudsman.test_worker import WorkerDatabase
from tests.processes import child_environment, flushed_redis, start_worker, stop_process

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BROKER_URL = redis_test_url(14)
WAIT_SECONDS = 60
# gunicorn kills a worker stuck this long on one request; a hang shows as a dropped connection.
REQUEST_TIMEOUT = 20


def serve_portal(log_path, **environment):
    """Start the portal under gunicorn on a free port with this environment; return (process, port)."""
    env = child_environment(DEBUG="false", PORTAL_ENV="development", ALLOWED_HOSTS="127.0.0.1", **environment)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = log_path.open("w")
    process = subprocess.Popen(
        [str(gunicorn), "complaints_portal.wsgi", "--bind", "127.0.0.1:0", "--workers", "1",
         "--timeout", str(REQUEST_TIMEOUT), "--graceful-timeout", "2"],
        cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if found := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_text()):
            return process, int(found.group(1))
        time.sleep(0.1)
    stop_process(process)
    raise AssertionError(f"gunicorn did not start:\n{log_path.read_text()[-3000:]}")


class Visitor:
    """A visitor over plain HTTP with cookies and CSRF tokens; redirects are not followed."""

    def __init__(self, port, cookies=None, timeout=REQUEST_TIMEOUT + 5):
        self.port, self.timeout, self.cookies = port, timeout, dict(cookies or {})

    def request(self, method, path, data=None):
        """Return (status, headers, body text, seconds taken); (None, {}, error, seconds) if the connection failed."""
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            return None, {}, f"{type(exc).__name__}: {exc}", time.monotonic() - started
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            self.cookies.update({name: morsel.value for name, morsel in SimpleCookie(value).items()})
        return response.status, dict(response.headers), text, time.monotonic() - started


class Database(WorkerDatabase):
    """The database the web and worker processes share, read back with plain SQL."""

    def rows(self, sql, *params):
        if self.path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        with sqlite3.connect(self.path, timeout=20) as db:
            return db.execute(sql.replace("%s", "?"), params).fetchall()

    def one(self, sql, *params):
        [row] = self.rows(sql, *params)
        return row


@pytest.fixture(params=["refusing", "silent"])
def dead_broker_url(request):
    """A Redis URL where nothing listens, or where connections are taken and never answered."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        if request.param == "silent":
            listener.listen(16)
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/14"


@pytest.fixture
def broker_back():
    yield from flushed_redis(BROKER_URL)


def file_through_the_web(port, session_key):
    """File a complaint as a logged-in customer, quickly, and see it shown; return its tracking number."""
    visitor = Visitor(port, {django_settings.SESSION_COOKIE_NAME: session_key})
    status, _, text, _ = visitor.request("GET", "/complaints/new/")
    assert status == 200, text[-2000:]
    status, headers, text, elapsed = visitor.request("POST", "/complaints/new/", complaint_data())
    limit = django_settings.CELERY_BROKER_CONNECTION_TIMEOUT + 3
    assert status == 302, f"after {elapsed:.1f} s: {text[-2000:]}"
    assert elapsed < limit, f"the request took {elapsed:.1f} s"
    tracking_number = re.fullmatch(r"/complaints/([^/]+)/filed/", headers["Location"]).group(1)
    status, _, text, _ = visitor.request("GET", headers["Location"])
    assert status == 200
    assert tracking_number in text
    return tracking_number


def test_a_complaint_filed_while_the_broker_is_down_is_saved_and_acknowledged_once_it_is_back(
    client, customer, dead_broker_url, broker_back, tmp_path, settings
):
    # The late task below goes to the broker, not run here.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client.force_login(customer)
    database = Database(tmp_path)
    web, port = serve_portal(tmp_path / "web.log", DATABASE_URL=database.url, CELERY_BROKER_URL=dead_broker_url,
                             VAR_DIR=str(tmp_path / "web"))
    try:
        tracking_number = file_through_the_web(port, client.cookies[django_settings.SESSION_COOKIE_NAME].value)
    finally:
        stop_process(web)
    assert "Broker unavailable" in (tmp_path / "web.log").read_text()

    acknowledgement_sql = (
        "SELECT e.id, e.status, e.attempts, e.message_id FROM complaints_outgoingemail e "
        "JOIN complaints_complaint c ON c.id = e.complaint_id WHERE c.tracking_number = %s AND e.kind = %s"
    )
    email_id, status, attempts, message_id = database.one(acknowledgement_sql, tracking_number, "acknowledgement")
    assert (status, attempts) == (EmailStatus.PENDING, 0)

    # The broker is back: a late task for the same email races the worker's own sweep.
    with current_app.connection_for_write(broker_back) as broker:
        deliver_email.apply_async((email_id,), connection=broker)
    process = start_worker(tmp_path, child_environment(DATABASE_URL=database.url, CELERY_BROKER_URL=broker_back))
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            if database.one(acknowledgement_sql, tracking_number, "acknowledgement")[1] == EmailStatus.SENT:
                break
            time.sleep(0.5)
        # Let two more sweeps run: they must not send it again.
        sweeps = database.finished_sweeps()
        while time.monotonic() < deadline and process.poll() is None and database.finished_sweeps() < sweeps + 2:
            time.sleep(0.5)
    finally:
        stop_process(process)
    log = (tmp_path / "worker.log").read_text()

    assert database.one(acknowledgement_sql, tracking_number, "acknowledgement")[1] == EmailStatus.SENT, log[-3000:]
    assert database.finished_sweeps() >= sweeps + 2, log[-3000:]
    assert "Task complaints.tasks.deliver_email" in log, "the late task reached the worker"
    mailed = "".join(path.read_text() for path in (tmp_path / "mail").glob("*.log"))
    assert mailed.count(f"Message-ID: {message_id}") == 1
