"""gunicorn and wrk for bench.http: serve the portal, request a page, load it, measure the CPU it takes."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LUA_SCRIPT = BASE_DIR / "bench" / "wrk" / "request.lua"
# gunicorn's connections carry this name, by which the run finds their PostgreSQL backends.
APPLICATION_NAME = "bench_http"


@dataclass
class Page:
    name: str
    path: str
    goal: float  # the share of the ceiling's requests a second it must serve (issue 17); 0 for the ceiling
    cookie: str = ""
    body: str = ""  # a POST's urlencoded form; empty for a GET
    expect: int = 200
    expect_text: str = ""  # checked in the body (or the Location header of a redirect)
    files_complaint: bool = False  # each request files one, deleted afterwards

    @property
    def method(self):
        return "POST" if self.body else "GET"


def named_connection(database_url):
    """Return the database URL with an application name, by which the run finds gunicorn's backends."""
    return f"{database_url}{'&' if '?' in database_url else '?'}application_name={APPLICATION_NAME}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env, port, workers):
    # The access log holds only each request's path: the run counts the requests served from it.
    command = [
        sys.executable, "-m", "gunicorn", "bench.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--log-level", "warning",
        "--access-logfile", str(Path(env["VAR_DIR"]) / "access.log"), "--access-logformat", "%(U)s",
    ]
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped while starting.")
        try:
            if fetch(port, Page("hello", "/bench/hello/", ""))[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer within 60 s.")


def fetch(port, page):
    """Request a page once as wrk will; return (status, body or Location header)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"X-Forwarded-Proto": "https", "Cookie": page.cookie}
    if page.body:
        headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://127.0.0.1:{port}"})
    try:
        connection.request(page.method, page.path, body=page.body or None, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, response.getheader("Location") or text
    finally:
        connection.close()


def check(port, page):
    status, text = fetch(port, page)
    if status != page.expect or page.expect_text not in text:
        sys.exit(f"{page.name}: {page.method} {page.path} answered {status}, expected {page.expect} "
                 f"with {page.expect_text!r}:\n{text[:2000]}")


def drain(port, workers):
    """Wait until every worker is idle: a slow page's requests outlive wrk's run and would slow the next."""
    hello = Page("hello", "/bench/hello/", "")
    with ThreadPoolExecutor(workers) as pool:
        while True:
            started = time.monotonic()
            list(pool.map(lambda _: fetch(port, hello), range(workers)))
            if time.monotonic() - started < 0.5:
                return


def process_stat(pid):
    """Return the fields of /proc/<pid>/stat after the command's name (state first), or [] if it has gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return []


def cpu_seconds(pid):
    """Return the CPU time (user and system) a process has used, or 0 if it has gone."""
    fields = process_stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0


def snapshot(server, access_log):
    """Return (CPU seconds of each gunicorn worker and its PostgreSQL backend, requests served so far).

    CPU time a request does not change when other work shares the machine, unlike requests a
    second, so it compares pages fairly on a noisy machine.
    """
    from django.db import connection

    workers = [int(path.name) for path in Path("/proc").glob("[0-9]*")
               if process_stat(path.name)[1:2] == [str(server.pid)]]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s AND pid <> pg_backend_pid()",
                       [APPLICATION_NAME])
        backends = [pid for (pid,) in cursor.fetchall()]
    with open(access_log, "rb") as log:
        served = sum(1 for _ in log)
    return {pid: cpu_seconds(pid) for pid in [*workers, *backends]}, served


def cpu_a_request(before, after):
    (cpu_before, served_before), (cpu_after, served_after) = before, after
    used = sum(seconds - cpu_before.get(pid, 0) for pid, seconds in cpu_after.items())
    return used / max(served_after - served_before, 1)


def load(port, page, duration, connections):
    """Run wrk against one page; return (requests a second, p50 ms, p99 ms, requests)."""
    env = {**os.environ, "BENCH_METHOD": page.method, "BENCH_BODY": page.body, "BENCH_COOKIE": page.cookie,
           "BENCH_ORIGIN": f"https://127.0.0.1:{port}"}
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s", str(LUA_SCRIPT),
               f"http://127.0.0.1:{port}{page.path}"]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    failures = {key: value for key, value in figures.items() if key.endswith(("errors", "timeouts")) and value}
    if failures:
        sys.exit(f"{page.name}: wrk saw failures {failures}:\n{output}")
    seconds = figures["duration_us"] / 1e6
    return figures["requests"] / seconds, figures["p50_us"] / 1000, figures["p99_us"] / 1000, figures["requests"]
