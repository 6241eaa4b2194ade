"""Reading the mailbox: messages a second through the fetch, from a Dovecot of its own.

Measured only with ``--only mailin``, as it needs Dovecot (``apt-get install dovecot-imapd``),
started as the tests start theirs (tests/mailin/dovecot.py). Each run puts ``messages`` small
emails in a new folder (IMAP APPEND), then times mailin.fetch: saving them (read from the
server, a row and a file each, flagged) and reading them (mailin.services.process_pending).
They come from an address nobody on record has, so each is parsed whole and waits for review,
and nothing but the rows is written. The rows and their files are deleted afterwards.
"""

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

SENDER = "someone.unknown@example.org"


def email(number):
    return (f"From: Someone <{SENDER}>\r\nTo: complaints@example.com\r\nSubject: My bill, number {number}\r\n"
            f"Date: Mon, 30 Nov 2026 09:00:00 +0000\r\nMessage-ID: <bench-{number}@example.org>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "I was charged twice this month for the same meeting plan.\r\nPlease refund one of them.\r\n\r\n"
            "Thanks,\r\nSomeone\r\n").encode()


def time_fetch(repeat, messages=500):
    """Return (median seconds to save, median seconds to read, messages) for ``messages`` new emails."""
    from django.test.utils import override_settings

    from mailin import fetch, imap, services
    from mailin.models import InboundMessage
    from tests.mailin.dovecot import Dovecot

    server = Dovecot().start()
    saving, reading = [], []
    try:
        for run in range(repeat):
            folder = server.create_folder(f"Bench{run}")
            folder.append_all([email(number) for number in range(messages)],
                              arrived_at=datetime.now(UTC) - timedelta(minutes=5))
            with tempfile.TemporaryDirectory() as media, override_settings(MAIL_IN_URL=folder.url(), MEDIA_ROOT=media):
                try:
                    started = time.perf_counter()
                    saved = fetch.save_new_messages().saved
                    saving.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    read = sum(services.process_pending(limit=messages).values())
                    reading.append(time.perf_counter() - started)
                    assert saved == read == messages, f"saved {saved}, read {read} of {messages}"
                finally:
                    InboundMessage.objects.filter(mailbox=imap.parse_url(folder.url()).name).delete()
    finally:
        server.stop()
    return statistics.median(saving), statistics.median(reading), messages
