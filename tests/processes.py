"""Child processes for the integration tests: real Celery workers and the portal under gunicorn."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings


def child_environment(**values):
    """Return this environment without its broker, mail and database settings, plus ``values``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "EMAIL_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="complaints_portal.settings", **values)
    return env


def start_worker(tmp_path, env):
    """Start a Celery worker with embedded beat (sweeping every few seconds), logging to tmp_path."""
    celery = Path(sys.executable).with_name("celery")
    log = (tmp_path / "worker.log").open("w")
    return subprocess.Popen(
        [str(celery), "-A", "complaints_portal", "worker", "-B", "-s", str(tmp_path / "beat-schedule"),
         "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=settings.BASE_DIR, env={"CLOCK_SWEEP_MINUTES": "0.05", "VAR_DIR": str(tmp_path), **env},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def stop_process(process):
    """Stop a child started in a session of its own, with its children; kill it if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def flushed_redis(url):
    """Yield ``url`` with its Redis database emptied before and after (a fixture's body)."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.ConnectionError:
        # CI sets REQUIRE_REDIS, so a Redis that is down there fails rather than hides the case.
        (pytest.fail if os.environ.get("REQUIRE_REDIS") else pytest.skip)("Redis is not running on 127.0.0.1:6379")
    yield url
    client.flushdb()
