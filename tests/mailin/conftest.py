"""A real IMAP server for the mail-in tests: Dovecot (tests/mailin/dovecot.py), one per session."""

import itertools

import pytest

from tests.mailin.dovecot import DOVECOT, Dovecot

folder_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot():
    """Start a throwaway Dovecot for the session (skip, saying how to get it, if it is not installed)."""
    if not DOVECOT.exists():
        pytest.skip(f"needs Dovecot ({DOVECOT}): apt-get install dovecot-imapd")
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def mail_folder(dovecot, settings):
    """Give the test an empty folder of its own, and point MAIL_IN_URL at it (plain IMAP on 127.0.0.1)."""
    folder = dovecot.create_folder(f"Test{next(folder_numbers)}")
    settings.MAIL_IN_URL = folder.url()
    return folder
