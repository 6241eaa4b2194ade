"""PostgreSQL restarts under the portal: clean 503 pages meanwhile, service again after, no portal restart.

The fault is real, on a throwaway PostgreSQL cluster of its own (never the shared one on
5432): Debian's pg_createcluster, on a free port, dropped at the end even if the test fails.
The portal runs under gunicorn against it with the production database settings
(CONN_MAX_AGE, CONN_HEALTH_CHECKS). It needs Linux, Debian's postgresql-common and root.
"""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import psycopg2
import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from complaints_portal import views
from tests.ops.test_faults_broker import Visitor, serve_portal
from tests.processes import stop_process

CAN_MAKE_CLUSTERS = sys.platform == "linux" and bool(shutil.which("pg_createcluster")) and os.geteuid() == 0
# A request during the outage must end at least this fast, with the 503 page.
QUICK_SECONDS = 5

SETUP = """
from django.test import Client
from accounts.models import User
from complaints import services
from complaints.models import Category, Product

customer = User.objects.create_user(email="pat@example.com", password="a-long-password-for-pat", full_name="Pat")
complaint = services.file_complaint(
    customer=customer, product=Product.GOTOMEETING, category=Category.SERVICE_FAULT,
    description="Meetings drop.", desired_outcome="Fix it.",
)
client = Client()
client.force_login(customer)
print(complaint.tracking_number, client.cookies["sessionid"].value)
"""


class Cluster:
    """A throwaway PostgreSQL cluster, controlled with Debian's pg_ctlcluster."""

    def __init__(self):
        self.version = sorted(os.listdir("/usr/lib/postgresql"), key=int)[-1]
        self.name = f"faulttest{os.getpid()}"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    def run(self, *command):
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def create(self):
        self.run("pg_createcluster", self.version, self.name, "--port", str(self.port), "--", "--auth=trust")

    def ctl(self, action):
        self.run("pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action)
        if action in ("start", "restart"):
            self.run("pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-t", "30")

    def drop(self):
        subprocess.run(["pg_dropcluster", "--stop", self.version, self.name], capture_output=True, timeout=120)

    def create_database(self, name):
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {name}")
        finally:
            connection.close()
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture
def cluster():
    cluster = Cluster()
    try:
        cluster.create()
        cluster.ctl("start")
        yield cluster
    finally:
        cluster.drop()


def manage(env, *arguments):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, timeout=300, check=True,
    ).stdout


class Stream(threading.Thread):
    """Visit the pages one after another until stopped; keep every result."""

    def __init__(self, visitor, paths):
        super().__init__(daemon=True)
        self.visitor, self.paths, self.results = visitor, paths, []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            for path in self.paths:
                self.results.append((path, *self.visitor.request("GET", path)))

    def stop(self):
        self.stopping.set()
        self.join(timeout=60)
        return self.results


def visit(visitor, paths):
    return [(path, *visitor.request("GET", path)) for path in paths]


def statuses(results):
    return [status for _, status, _, _, _ in results]


def assert_clean_outage_page(result):
    path, status, headers, body, elapsed = result
    assert status == 503, f"{path}: {status} {body[-1500:]}"
    assert elapsed < QUICK_SECONDS, f"{path} took {elapsed:.1f} s"
    assert headers.get("Retry-After") == str(views.DATABASE_RETRY_AFTER)
    assert "The complaints portal is briefly unavailable" in body
    assert "Traceback" not in body and "psycopg2" not in body


@pytest.mark.integration
@pytest.mark.skipif(not CAN_MAKE_CLUSTERS, reason="needs Linux, pg_createcluster (postgresql-common) and root")
def test_the_portal_answers_503_while_postgresql_is_down_and_recovers_without_a_restart(cluster, tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "EMAIL_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="complaints_portal.settings", VAR_DIR=str(tmp_path),
               DATABASE_URL=cluster.create_database("portal"))
    manage(env, "migrate", "--no-input")
    tracking_number, session_key = manage(env, "shell", "-c", SETUP).splitlines()[-1].split()
    web, port = serve_portal(tmp_path / "web.log", **{key: env[key] for key in ("DATABASE_URL", "VAR_DIR")})
    try:
        cookies = {settings.SESSION_COOKIE_NAME: session_key}
        visitor = Visitor(port, cookies, timeout=30)
        paths = ["/complaints/track/", f"/complaints/{tracking_number}/"]
        before = visit(visitor, paths)
        assert statuses(before) == [200, 200]
        assert tracking_number in before[1][3], "the customer sees their complaint"

        # A restart between two requests: the kept connection is dead, and the health check
        # replaces it before the next request uses it.
        cluster.ctl("restart")
        assert statuses(visit(visitor, paths)) == [200, 200]

        # Down for a while under a stream of requests, then back.
        stream = Stream(Visitor(port, cookies, timeout=30), paths)
        stream.start()
        time.sleep(1)
        cluster.ctl("stop")
        time.sleep(3)
        during = visit(visitor, paths)
        cluster.ctl("start")
        time.sleep(1)
        streamed = stream.stop()
        after = visit(visitor, paths)
    finally:
        stop_process(web)
    log = (tmp_path / "web.log").read_text()

    for result in during:
        assert_clean_outage_page(result)
    for result in streamed:
        if result[1] != 200:
            assert_clean_outage_page(result)
    assert 503 in statuses(streamed) and 200 in statuses(streamed), statuses(streamed)
    assert statuses(after) == [200, 200], log[-3000:]
    assert tracking_number in after[1][3]
    assert "WORKER TIMEOUT" not in log


def test_a_database_error_gets_the_503_page_with_retry_after_and_any_other_error_the_500_page():
    request = RequestFactory().get("/complaints/track/")
    for error in (OperationalError("server closed the connection unexpectedly"), InterfaceError("closed")):
        try:
            raise error
        except type(error):
            response = views.server_error(request)
        assert response.status_code == 503
        assert response["Retry-After"] == str(views.DATABASE_RETRY_AFTER)
        assert "briefly unavailable" in response.content.decode()

    try:
        raise ValueError("a bug")
    except ValueError:
        response = views.server_error(request)
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
    assert settings.PROVIDER["phone"] in response.content.decode()
