"""Settings from the environment: production refuses a weak secret key; mail goes through the portal's backend."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from complaints_portal.settings import _DEV_SECRET_KEY

PROJECT = Path(__file__).resolve().parents[2]


def start_django(**env):
    """Set Django up in a fresh process with only ``env`` (and the database URL) in its environment."""
    environment = {"DJANGO_SETTINGS_MODULE": "complaints_portal.settings", "PORTAL_ENV": "production", **env}
    if "DATABASE_URL" in os.environ:
        environment["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=PROJECT,
                          env=environment, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("secret", [None, _DEV_SECRET_KEY, "x" * 30], ids=["missing", "development", "short"])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    result = start_django(**({} if secret is None else {"SECRET_KEY": secret}), ALLOWED_HOSTS="portal.example.com")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_a_long_secret_key_and_allowed_hosts():
    result = start_django(SECRET_KEY="k" * 64, ALLOWED_HOSTS="portal.example.com")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("email_url", "backend"), [
    ("smtp+tls://user:secret@smtp.example.com:587", "complaints_portal.smtp.EmailBackend"),
    ("", "django.core.mail.backends.filebased.EmailBackend"),
])
def test_a_real_mail_server_is_reached_through_the_backend_with_a_short_connect_timeout(email_url, backend):
    environment = {"DJANGO_SETTINGS_MODULE": "complaints_portal.settings", "EMAIL_URL": email_url,
                   "EMAIL_CONNECT_TIMEOUT": "3"}
    printed = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; "
         "print(settings.EMAIL_BACKEND, settings.EMAIL_CONNECT_TIMEOUT, settings.EMAIL_TIMEOUT)"],
        cwd=PROJECT, env={**os.environ, **environment}, capture_output=True, text=True, timeout=60, check=True,
    )
    assert printed.stdout.split() == [backend, "3.0", "20"]
