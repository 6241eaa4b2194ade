"""Fixtures for the clock, letters and the ombudsman pages."""

from datetime import datetime, timedelta

from django.core.mail.backends.locmem import EmailBackend

from clock import UK
from tests.conftest import file_complaint


def uk(*args):
    """Return an aware datetime in UK time."""
    return datetime(*args, tzinfo=UK)


def file_due_complaint(customer, days_ago=60, **overrides):
    """File a complaint received long enough ago that its waiting period is over."""
    from django.utils import timezone

    return file_complaint(customer, received_at=timezone.now() - timedelta(days=days_ago), **overrides)


def postgres_test_database_url():
    """Return a URL for the PostgreSQL test database, for another process to use."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class FlakyBackend(EmailBackend):
    """A mail server that refuses letters (emails with a PDF) but takes other mail."""

    def send_messages(self, messages):
        if any(message.attachments for message in messages):
            raise ConnectionRefusedError("mail server refused the connection")
        return super().send_messages(messages)


class CrashingBackend(EmailBackend):
    """A mail backend whose process dies after sending ``limit`` messages.

    It raises SystemExit, which no ``except Exception`` catches: the sweep stops dead
    mid-batch, as it would if the worker were killed.
    """

    limit = 3
    sent = 0

    def send_messages(self, messages):
        if CrashingBackend.sent >= CrashingBackend.limit:
            raise SystemExit("worker killed")
        CrashingBackend.sent += len(messages)
        return super().send_messages(messages)
