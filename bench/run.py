"""Benchmark the clock on a large dataset, each figure beside a Django "hello world" view.

    .venv/bin/python -m bench.run --complaints 1000000          # the recorded run
    .venv/bin/python -m bench.run --complaints 20000 --claim 2000   # a quick one
    .venv/bin/python -m bench.run --only desk                     # one part (clock, desk, reports)
    .venv/bin/python -m bench.run --only mailin                   # reading mail (needs Dovecot)

Builds (or reuses) one PostgreSQL database of N complaints with ``manage.py seed_demo``,
then measures, in this one process and run:

- a sweep with nothing due (the sweep run as of a moment before anything in the data is due,
  so every step reads its partial index and finds nothing);
- claiming due complaints: ``--claim`` complaints are made due and the sweep's claim step
  writes their ADR letters, then again with ``--sweeps`` sweeps at once (then everything is
  put back as it was);
- rendering one letter's PDF, and ``GET /healthz``;
- the agents' complaint list and one complaint's page in the admin (``bench/desk.py``);
- the managers' reports page, default period and filtered (``bench/reports.py``);
- only when asked (``--only mailin``, as it needs Dovecot): reading mail, messages a second
  saved from an IMAP server and read (``bench/mailin.py``).

Nothing measured is kept, so the dataset can be reused by the next run.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/complaints_bench"
# What a run measures, each part on its own with --only; mailin only when asked (it needs Dovecot).
PARTS = ("clock", "desk", "reports", "mailin")
DEFAULT_PARTS = ("clock", "desk", "reports")


class Rollback(Exception):
    """Raised to leave a measurement's transaction without keeping anything."""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--complaints", type=int, default=1_000_000, help="Size of the dataset (default 1,000,000).")
    parser.add_argument("--claim", type=int, action="append",
                        help="Due complaints to claim (repeatable, default 10,000).")
    parser.add_argument("--sweeps", type=int, default=4,
                        help="Sweeps claiming the first --claim at once, in a run of their own (default 4; 0: none).")
    parser.add_argument("--repeat", type=int, default=5, help="Runs of each measurement; the median is shown.")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--only", choices=PARTS, action="append",
                        help="Measure only this part (repeatable); the hello world is always measured.")
    return parser.parse_args()


def manage(*args, env):
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)
    return time.monotonic() - started


def ensure_database(url):
    import psycopg2
    from psycopg2 import sql

    server, name = url.rsplit("/", 1)
    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        admin.close()


def median_seconds(repeat, measure):
    """Run ``measure`` (which returns seconds) ``repeat`` times; return the median."""
    return statistics.median(measure() for _ in range(repeat))


def rolled_back(work):
    """Run ``work`` in a transaction that is rolled back; return what it returned."""
    from django.db import transaction

    result = {}
    try:
        with transaction.atomic():
            result["value"] = work()
            raise Rollback
    except Rollback:
        pass
    return result["value"]


def quiet_moment():
    """Return a moment before anything in the data is due for any step of the sweep."""
    from django.conf import settings
    from django.db.models import Min

    from complaints.models import Complaint, OutgoingEmail
    from ombudsman.models import Letter, Referral

    candidates = [
        Complaint.objects.aggregate(first=Min("adr_opens_at"))["first"],
        OutgoingEmail.objects.aggregate(first=Min("next_attempt_at"))["first"],
        Letter.objects.aggregate(first=Min("next_attempt_at"))["first"],
    ]
    moment = min(value for value in candidates if value) - timedelta(days=settings.ADR_WARNING_DAYS + 1)
    first_due = Referral.objects.aggregate(first=Min("compliance_due_on"))["first"]
    if first_due:
        from clock import uk_midnight

        moment = min(moment, uk_midnight(first_due) - timedelta(days=settings.COMPLIANCE_REMINDER_DAYS + 2))
    return moment


def time_hello(client, repeat, requests=2000):
    def run():
        started = time.perf_counter()
        for _ in range(requests):
            client.get("/bench/hello/")
        return (time.perf_counter() - started) / requests

    return median_seconds(repeat, run)


def time_quiet_sweep(repeat, now):
    from ombudsman import sweep

    def run():
        def work():
            started = time.perf_counter()
            record = sweep.run(now=now)
            elapsed = time.perf_counter() - started
            assert not any(record.counts.values()), f"something was due: {record.counts}"
            return elapsed

        return rolled_back(work)

    return median_seconds(repeat, run)


# What time_claim changes on a complaint, and puts back.
RESTORED = ("pk", "status", "closed_at", "adr_letter_pending", "adr_opens_at", "customer_told_at", "refer_by")


def time_claim(count, now, sweeps=1):
    """Make ``count`` complaints due, claim them with ``sweeps`` sweeps at once; return (seconds, letters, duplicates).

    The claim commits batch by batch, as in production (a single rolled-back transaction
    would make each batch rescan the rows claimed before it). Several sweeps run in threads,
    each on its own connection, sharing the backlog; duplicates counts the complaints given
    more than one letter or 'written' event. Afterwards the letters and their events are
    deleted and the complaints put back as they were, so the dataset can be reused. Delivery
    tasks go to an in-memory broker and are dropped.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections
    from django.db.models import Count, Exists, OuterRef
    from django.utils import timezone

    from complaints.models import Complaint, Event, Status
    from ombudsman import sweep
    from ombudsman.models import Letter

    chosen = list(
        Complaint.objects.filter(adr_rights=True)
        .exclude(Exists(Letter.objects.filter(complaint=OuterRef("pk"))))
        .order_by("pk").values_list(*RESTORED)[:count]
    )
    ids = [row[0] for row in chosen]
    marker = timezone.now()
    Complaint.objects.filter(pk__in=ids).update(
        status=Status.INVESTIGATING, closed_at=None, adr_letter_pending=True, adr_opens_at=now - timedelta(days=1)
    )

    def claim(_):
        run = sweep.Run(now)
        try:
            written = sweep.write_adr_letters(run)
        finally:
            if sweeps > 1:
                connections.close_all()
        assert not run.errors, run.errors
        return written

    try:
        started = time.perf_counter()
        if sweeps == 1:
            written = claim(0)
        else:
            with ThreadPoolExecutor(sweeps) as pool:
                written = sum(pool.map(claim, range(sweeps)))
        elapsed = time.perf_counter() - started
        duplicates = sum(
            queryset.filter(complaint_id__in=ids, created_at__gte=marker).values("complaint_id")
            .annotate(n=Count("id")).filter(n__gt=1).count()
            for queryset in (Letter.objects, Event.objects.filter(data__step="written"))
        )
    finally:
        with connection.cursor() as cursor:
            # Raw SQL: events are append-only through the ORM, and this is benchmark debris.
            cursor.execute("DELETE FROM complaints_event WHERE complaint_id = ANY(%s) AND kind = 'letter' "
                           "AND created_at >= %s", [ids, marker])
            cursor.execute("DELETE FROM ombudsman_letter WHERE complaint_id = ANY(%s) AND created_at >= %s",
                           [ids, marker])
            # One statement from arrays: bulk_update's CASE a row takes minutes for 100,000.
            columns = list(zip(*chosen, strict=True)) if chosen else [[] for _ in RESTORED]
            cursor.execute(
                "UPDATE complaints_complaint AS c SET status = v.status, closed_at = v.closed_at, "
                "adr_letter_pending = v.adr_letter_pending, adr_opens_at = v.adr_opens_at, "
                "customer_told_at = v.customer_told_at, refer_by = v.refer_by "
                "FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[], %s::boolean[], %s::timestamptz[], "
                "%s::timestamptz[], %s::date[]) AS v(id, status, closed_at, adr_letter_pending, adr_opens_at, "
                "customer_told_at, refer_by) WHERE c.id = v.id",
                [list(column) for column in columns],
            )
    return elapsed, written, duplicates


def time_pdf(repeat):
    from complaints.models import Complaint
    from complaints.printing import render_pdf
    from ombudsman import letters
    from ombudsman.models import LetterKind

    def work():
        complaint = Complaint.objects.filter(adr_rights=True).select_related("customer").first()
        page = letters.write(complaint=complaint, kind=LetterKind.DEADLOCK, reason="Benchmark").html
        render_pdf(page)  # the first render loads fonts
        return median_seconds(repeat, lambda: timed(render_pdf, page))

    return rolled_back(work)


def time_healthz(client, repeat, requests=500):
    from django.utils import timezone

    from ombudsman.models import SweepRun

    def run():
        started = time.perf_counter()
        for _ in range(requests):
            assert client.get("/healthz").status_code == 200
        return (time.perf_counter() - started) / requests

    def work():
        SweepRun.objects.create(swept_as_of=timezone.now(), finished_at=timezone.now())  # a live clock
        return median_seconds(repeat, run)

    return rolled_back(work)


def timed(function, *args):
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def main():
    args = parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark runs on PostgreSQL: give --database-url postgres://...")
    # Letters claimed in the benchmark are never delivered: their tasks go to a broker in memory.
    env = {**os.environ, "DATABASE_URL": args.database_url, "LOG_LEVEL": "WARNING", "CELERY_BROKER_URL": "memory://"}
    ensure_database(args.database_url)
    manage("migrate", "--no-input", "-v", "0", env=env)

    os.environ.update(DATABASE_URL=args.database_url, LOG_LEVEL="WARNING", CELERY_BROKER_URL="memory://")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaints_portal.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from bench import desk, mailin, reports
    from complaints.models import Complaint

    have = Complaint.objects.count()
    if have < args.complaints:
        print(f"Building the dataset: {have:,} complaints, adding {args.complaints - have:,} with seed_demo ...")
        built = manage("seed_demo", "--complaints", str(args.complaints - have), env=env)
        print(f"seed_demo took {built:,.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    total = Complaint.objects.count()
    print(f"Dataset: {total:,} complaints in {args.database_url.rsplit('/', 1)[1]}\n")

    parts = set(args.only or DEFAULT_PARTS)
    rows = []
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        hello = time_hello(client, args.repeat)
        if "clock" in parts:
            now = quiet_moment()
            quiet = time_quiet_sweep(args.repeat, now)
            claims = [(count, 1, *time_claim(count, now)) for count in args.claim or [10_000]]
            if args.sweeps > 1:
                claims.append((claims[0][0], args.sweeps, *time_claim(claims[0][0], now, sweeps=args.sweeps)))
            # Claiming and putting back leaves a dead row for every row it touched, which would
            # slow every page measured after it (the desk's by several times, at 100,000 claimed).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE complaints_complaint, complaints_event, ombudsman_letter")
            pdf = time_pdf(args.repeat)
            healthz = time_healthz(client, args.repeat)
        if "mailin" in parts:
            saving, reading, messages = mailin.time_fetch(args.repeat)
        pages = [*(desk.time_desk(client, args.repeat) if "desk" in parts else []),
                 *(reports.time_reports(client, args.repeat) if "reports" in parts else [])]
        hello_after = time_hello(client, args.repeat)

    hello = statistics.median([hello, hello_after])
    if "clock" in parts:
        rows += [
            ("Sweep with nothing due", f"{quiet * 1000:,.1f} ms", quiet / hello),
            *((f"Claim {count:,} due complaints (write their ADR letters)"
               + (f", {sweeps} sweeps at once" if sweeps > 1 else ""),
               f"{claimed / seconds:,.0f} complaints/s ({seconds:,.1f} s, {claimed:,} letters, "
               f"{duplicates} duplicates)",
               (seconds / claimed) / hello)
              for count, sweeps, seconds, claimed, duplicates in claims),
            ("Render one letter's PDF (WeasyPrint)", f"{pdf * 1000:,.0f} ms", pdf / hello),
            ("GET /healthz", f"{healthz * 1000:,.2f} ms", healthz / hello),
        ]
    if "mailin" in parts:
        fetching = saving + reading
        rows += [(f"Fetch {messages} new small emails from Dovecot: save each, then read it (to review)",
                  f"{messages / fetching:,.0f} messages/s (save {messages / saving:,.0f}/s, read "
                  f"{messages / reading:,.0f}/s)", (fetching / messages) / hello)]
    rows += [(name, f"{seconds * 1000:,.1f} ms, {queries} SQL queries", seconds / hello)
             for name, seconds, queries in pages]
    print(f"Hello-world view (Django test client, same run): {hello * 1000:.2f} ms a request, "
          f"{1 / hello:,.0f} requests/s\n")
    print(f"| Measure ({total:,} complaints) | Result | In hello-world requests |")
    print("| --- | --- | --- |")
    for name, result, ratio in rows:
        print(f"| {name} | {result} | {ratio:,.1f} |")


if __name__ == "__main__":
    main()
