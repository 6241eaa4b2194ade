"""Fixtures for the clock, letters and the ombudsman pages."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend

from clock import UK
from ombudsman import services
from ombudsman.models import Decision
from tests.conftest import file_complaint


def uk(*args):
    """Return an aware datetime in UK time."""
    return datetime(*args, tzinfo=UK)


def file_due_complaint(customer, days_ago=60, **overrides):
    """File a complaint received long enough ago that its waiting period is over."""
    from django.utils import timezone

    return file_complaint(customer, received_at=timezone.now() - timedelta(days=days_ago), **overrides)


@pytest.fixture
def referral(customer):
    """A complaint referred to the scheme on 2 November 2026, its waiting period over."""
    with time_machine.travel(uk(2026, 11, 2, 10), tick=False):
        complaint = file_due_complaint(customer)
        return services.record_referral(complaint=complaint, actor=customer, referred_on=date(2026, 11, 2))


def decide(referral, agent, **overrides):
    """Record the scheme's decision on a referral: partly upheld, with an apology, an action and an award."""
    fields = dict(decision=Decision.PARTLY_UPHELD, decided_on=date(2026, 12, 1), apology=True,
                  action="Restore the account", award_amount=Decimal("150.00"))
    fields.update(overrides)
    return services.record_decision(referral=referral, actor=agent, **fields)


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
