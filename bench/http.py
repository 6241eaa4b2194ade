"""Load the portal over HTTP: gunicorn on loopback, wrk, each page beside a hello-world view.

    .venv/bin/python -m bench.http --duration 10          # the recorded run, on complaints_bench
    .venv/bin/python -m bench.http --duration 3 --only track --database-url postgres://.../load_dev

Starts gunicorn (``bench.wsgi``: the portal plus the hello-world view) with production
settings on a free loopback port, then loads one page at a time with wrk for ``--duration``
seconds (after ``--warmup`` seconds not recorded): the hello-world view first and last (the
ceiling: the same gunicorn, middleware and settings doing no work), and between them the home
and contact pages, the customer's complaint page, the track page's lookup, the agents' complaint list, the
managers' reports and filing a complaint (the real POST through the form, CSRF included). Four
floors are loaded beside the pages they bound, each doing what its page must before it shows
anything (``bench/urls.py``): a customer's page signed in with their complaint found, the
track lookup's rate limit and form, filing's sign-in and form with nothing written, and the
admin's cost for a list with no rows (the saved replies, none saved on the benchmark's data).
Each page is checked once before it is loaded, and its SQL queries counted. Besides requests
a second and latency, the run reads the CPU time gunicorn's workers and their PostgreSQL
backends spent a request, which other work on the machine does not change.

The cache is Redis, as production's ``REDIS_URL`` (``--redis-url``, default database 3 of the
local Redis, which must be running): rate-limit counts and the reports' kept figures are
shared by the workers, and expire by themselves. The database must already hold the demo
accounts (``manage.py seed_demo``) and every migration. The run adds sessions for the demo
customer, agent and manager (and an authenticator for a demo staff member who has none), and
the complaints it files as the demo customer; it deletes all of them afterwards.
"""

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from bench.loadgen import (
    Page,
    check,
    cpu_a_request,
    drain,
    free_port,
    load,
    named_connection,
    snapshot,
    start_gunicorn,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/complaints_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"  # the tests use 4 to 15 (tests.conftest.redis_test_url)
# Filed complaints are found by this text (and their customer and time) to be deleted afterwards.
FILED_MARKER = "Benchmark complaint filed by bench.http"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
                        help="The cache, as production's REDIS_URL: shared rate-limit counts and report figures "
                             "(default database 3 of the local Redis; keys expire by themselves).")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load for each page (default 10).")
    parser.add_argument("--warmup", type=int, default=2,
                        help="Seconds of unrecorded load before each page (default 2): every worker's first "
                             "request loads templates and the Celery app.")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers (default 5: 2 x 2 cores + 1).")
    parser.add_argument("--connections", type=int, default=0, help="wrk connections (default twice the workers).")
    parser.add_argument("--only", action="append", default=[], metavar="WORD",
                        help="Load only the pages whose name has WORD (repeatable); the ceiling always runs.")
    return parser.parse_args()


def production_environment(database_url, var_dir, redis_url=DEFAULT_REDIS_URL):
    """Return the environment gunicorn (and this process) run with: production, on loopback."""
    return {
        **os.environ,
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        # No TLS on loopback: requests say they came through the proxy (X-Forwarded-Proto) instead.
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": named_connection(database_url),
        "VAR_DIR": str(var_dir),
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
        # Acknowledgements are queued but never delivered: their tasks go to a broker in memory.
        "CELERY_BROKER_URL": "memory://localhost/",
        # One client asks for the track page thousands of times a second: lift its limit, so
        # the lookup is measured (with its counting, in Redis) rather than the refusal.
        "RATE_LIMIT_TRACK_PER_IP": str(10**9),
    }


def count_queries(page):
    """Request a page through Django in this process, as wrk will; return its SQL queries.

    It is requested twice and the second counted: the first fills what a worker keeps after
    its first requests (a session's copy in Redis, the schemes, a rendered timeline).
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(enforce_csrf_checks=True, headers={
        "Host": "127.0.0.1", "X-Forwarded-Proto": "https", "Origin": "https://127.0.0.1"})
    for pair in filter(None, page.cookie.split("; ")):
        name, value = pair.split("=", 1)
        client.cookies[name] = value
    with override_settings(ROOT_URLCONF="bench.urls"):
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                if page.body:
                    response = client.post(page.path, page.body, content_type="application/x-www-form-urlencoded")
                else:
                    response = client.get(page.path)
            assert response.status_code == page.expect, (page.name, response.status_code)
    return len(captured.captured_queries)


def verify_staff_session(session, user):
    """Mark a staff session as past the second factor: the one place the bench does it.

    Return the authenticator the run had to give the user (to delete afterwards), or None
    if the user already had a confirmed one.
    """
    from accounts import two_factor
    from accounts.models import Authenticator

    enrolled = None
    authenticator = Authenticator.objects.filter(user=user).first()
    if authenticator is None:
        enrolled = two_factor.enrol(user=user)
    elif authenticator.confirmed_at is None:
        sys.exit(f"{user.email} is half-way through setting up two-factor authentication: finish or reset it.")
    two_factor.mark_verified(session, user)
    return enrolled


def session_cookie(user, *, staff=False):
    """Return (session key, Cookie header, authenticator made for it) of a logged-in session, as login makes it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    enrolled = verify_staff_session(session, user) if staff else None
    session.save()
    return session.session_key, f"{settings.SESSION_COOKIE_NAME}={session.session_key}", enrolled


def pages(csrf_secret):
    """Return what to delete afterwards (sessions, authenticators) and the pages to load, the ceiling first."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from complaints.models import Category, Complaint, Product

    users = get_user_model().objects.in_bulk(
        ["customer@example.com", "agent@example.com", "manager@example.com"], field_name="email"
    )
    if len(users) < 3:
        sys.exit("The demo accounts are missing: run manage.py seed_demo on this database first.")
    customer = users["customer@example.com"]
    # The demo customer's complaint with the longest timeline: the fullest page they have.
    complaint = (Complaint.objects.filter(customer=customer).annotate(events_count=Count("events"))
                 .order_by("-events_count", "pk").first())
    if complaint is None:
        sys.exit("The demo customer has no complaint: seed_demo gives them some on an empty database.")
    csrf = f"{settings.CSRF_COOKIE_NAME}={csrf_secret}"
    made, cookies = {"sessions": [], "authenticators": []}, {}
    for email, staff in [("customer@example.com", False), ("agent@example.com", True), ("manager@example.com", True)]:
        key, cookies[email], enrolled = session_cookie(users[email], staff=staff)
        made["sessions"].append(key)
        if enrolled:
            made["authenticators"].append(enrolled.pk)
    for_customer, for_agent = f"{cookies['customer@example.com']}; {csrf}", cookies["agent@example.com"]
    track = urlencode({"csrfmiddlewaretoken": csrf_secret, "tracking_number": complaint.tracking_number,
                       "email": customer.email})
    filing = urlencode({
        "csrfmiddlewaretoken": csrf_secret, "product": Product.GOTOMEETING, "category": Category.SERVICE_FAULT,
        "description": f"{FILED_MARKER}: the meeting drops every few minutes.",
        "desired_outcome": "Fix the fault.",
    })
    return made, [
        Page("Hello world (the ceiling)", "/bench/hello/", 0),
        Page("Home page (anonymous, kept whole)", "/", 0.5, expect_text="Code of Practice"),
        Page("Contact page (anonymous, kept whole)", "/contact/", 0.5, expect_text="Ofcom, the regulator"),
        Page("Floor of a customer's page: signed in, their complaint found, nothing shown",
             f"/bench/floor/{complaint.tracking_number}/", 0, for_customer, expect_text=complaint.tracking_number),
        Page(f"The customer's complaint page ({complaint.events_count} timeline events)",
             complaint.get_absolute_url(), 0.2, for_customer, expect_text=complaint.tracking_number),
        Page("Floor of the track lookup: rate limit counted, complaint found, nothing shown (POST, CSRF)",
             "/bench/floor/track/", 0, csrf, track, expect_text=complaint.tracking_number),
        Page("Track a complaint: the lookup (POST, CSRF)", "/complaints/track/", 0.25, csrf, track,
             expect_text=complaint.tracking_number),
        Page("Floor of an admin list: the saved replies, none saved", "/admin/desk/savedreply/", 0, for_agent,
             expect_text="0 saved replies"),
        Page("Agents' complaint list (admin)", "/admin/complaints/complaint/", 0.06, for_agent,
             expect_text=Complaint._meta.verbose_name_plural.capitalize()),
        Page("Managers' reports", "/reports/", 0.1, cookies["manager@example.com"]),
        Page("Floor of filing (file a complaint): signed in, the form validated, nothing written (POST, CSRF)",
             "/bench/floor/file/", 0, for_customer, filing, expect_text='"valid": true'),
        Page("File a complaint (POST through the form, CSRF)", "/complaints/new/", 0.15, for_customer,
             filing, expect=302, expect_text="/filed/", files_complaint=True),
    ]


def delete_leftovers(made, since):
    """Delete the sessions, authenticators and complaints the run made; return how many complaints."""
    from django.contrib.sessions.models import Session
    from django.db import connection, transaction

    from accounts.models import Authenticator
    from complaints.models import Complaint

    Session.objects.filter(session_key__in=made["sessions"]).delete()
    Authenticator.objects.filter(pk__in=made["authenticators"]).delete()
    ids = list(Complaint.objects.filter(customer__email="customer@example.com", received_at__gte=since,
                                        description__startswith=FILED_MARKER).values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        # Raw SQL: events are append-only through the ORM, and these are benchmark debris.
        for table in ("complaints_event", "complaints_outgoingemail"):
            cursor.execute(f"DELETE FROM {table} WHERE complaint_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM complaints_complaint WHERE id = ANY(%s)", [ids])
    return len(ids)


def require_migrated():
    """Stop unless the database has every migration: the run never changes a schema."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        sys.exit("The database lacks migrations: run manage.py migrate (or bench.run) on it first.")


def warn_without_statistics():
    """Warn when the planner has no statistics for a table: its plans then say little of production's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 1000 "
                       "AND last_analyze IS NULL AND last_autoanalyze IS NULL ORDER BY relname")
        never = [name for (name,) in cursor.fetchall()]
    if never:
        print(f"Warning: no planner statistics for {', '.join(never)}: run ANALYZE on the database first.")


def run(args, env):
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from complaints.models import Complaint

    require_migrated()
    warn_without_statistics()
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
                   cwd=BASE_DIR, env=env, check=True)
    connections = args.connections or 2 * args.workers
    started = timezone.now()
    total = Complaint.objects.count()
    made, plan = pages(get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS))
    if args.only:
        plan = [plan[0], *(page for page in plan[1:] if any(word.lower() in page.name.lower() for word in args.only))]
    port, server = free_port(), None
    access_log = Path(env["VAR_DIR"]) / "access.log"
    results, queries, filed = [], {}, 0
    try:
        server = start_gunicorn(env, port, args.workers)
        for page in plan:
            check(port, page)
            queries[page.name] = count_queries(page)
        # The ceiling is measured first and last, and its mean used, so drift shows in both.
        for page in [*plan, plan[0]]:
            print(f"Loading {page.name} for {args.duration} s ...", flush=True)
            if args.warmup:
                load(port, page, args.warmup, connections)
                drain(port, args.workers)
            before = snapshot(server, access_log)
            figures = load(port, page, args.duration, connections)
            drain(port, args.workers)
            results.append((page, *figures, cpu_a_request(before, snapshot(server, access_log))))
    finally:
        if server:
            server.terminate()
            server.wait()
        filed = delete_leftovers(made, started)
    filed_requests = sum(result[4] for result in results if result[0].files_complaint)
    if filed < filed_requests:
        sys.exit(f"Only {filed} complaints were filed for {filed_requests} answered POSTs.")
    return total, connections, results, queries, filed


def print_table(args, total, connections, results, queries, filed):
    ceiling = (results[0][1] + results[-1][1]) / 2
    print(f"\n{total:,} complaints; gunicorn {args.workers} sync workers, wrk 1 thread {connections} connections, "
          f"{args.duration} s a page; {filed:,} complaints filed and deleted afterwards.")
    print(f"Hello world: {results[0][1]:,.0f} requests/s first, {results[-1][1]:,.0f} last, {ceiling:,.0f} mean.")
    hello_cpu = (results[0][5] + results[-1][5]) / 2
    print(f"Hello world: {hello_cpu * 1000:.2f} ms of CPU a request (gunicorn worker and PostgreSQL backend).\n")
    print("| Page | Requests/s | p50 | p99 | SQL queries | CPU a request | Of the ceiling: requests/s | "
          "Of the ceiling: CPU | Goal (issue 17, requests/s) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for page, rate, p50, p99, _requests, cpu in results[:-1]:
        share = rate / ceiling
        verdict = f"{'met' if share >= page.goal else 'MISSED'} (>= {page.goal:.2f})" if page.goal else ""
        print(f"| {page.name} | {rate:,.0f} | {p50:,.1f} ms | {p99:,.1f} ms | {queries[page.name]} "
              f"| {cpu * 1000:,.2f} ms | {share:.2f} | {hello_cpu / cpu:.2f} | {verdict} |")


def main():
    args = parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark runs on PostgreSQL: give --database-url postgres://...")
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    with tempfile.TemporaryDirectory(prefix="bench-http-") as var_dir:
        env = production_environment(args.database_url, var_dir, args.redis_url)
        # This process makes the sessions, so it shares gunicorn's settings (the secret key above all).
        os.environ.update(env, DJANGO_SETTINGS_MODULE="complaints_portal.settings")
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        figures = run(args, env)
    print_table(args, *figures)


if __name__ == "__main__":
    main()
