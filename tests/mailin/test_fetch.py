"""Reading the mailbox: each message saved once, at its arrival time, whole, and flagged after.

The tests marked integration read a real IMAP server (Dovecot, tests/mailin/dovecot.py),
each from a folder of its own (the mail_folder fixture points MAIL_IN_URL at it).
"""

import logging
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import uuid
from contextlib import closing
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from mailin import imap
from mailin.fetch import fetch, save_new_messages
from mailin.models import InboundMessage, MailStatus
from mailin.tasks import fetch_mail
from tests.ombudsman.conftest import postgres_test_database_url
from tests.processes import child_environment
from tests.threads import at_once

# When Dovecot received the message; its Date: header says another moment.
ARRIVED = datetime(2026, 11, 30, 8, 5, 9, tzinfo=UTC)
SENT = "Thu, 01 Oct 2026 10:00:00 +0100"
SAVED = {imap.SAVED_KEYWORD, "\\Seen"}


def email(subject="My broadband keeps dropping"):
    return (f"From: Dana Customer <dana@example.com>\r\nTo: complaints@example.com\r\nSubject: {subject}\r\n"
            f"Date: {SENT}\r\nMessage-ID: <{uuid.uuid4()}@example.com>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nIt drops every evening.\r\n").encode()


def stored_files(settings):
    return sorted(path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file())


@pytest.mark.integration
@pytest.mark.django_db
def test_a_message_is_saved_whole_at_its_arrival_time_not_its_date_header(mail_folder):
    message = email()
    uid = mail_folder.append(message, arrived_at=ARRIVED)

    fetched = save_new_messages()

    assert (fetched.saved, fetched.already_saved, fetched.failed) == (1, 0, 0)
    saved = InboundMessage.objects.get()
    assert saved.arrived_at == ARRIVED
    assert (saved.mailbox, saved.uidvalidity, saved.uid) == (
        f"portal@127.0.0.1/{mail_folder.name}", mail_folder.uidvalidity(), uid)
    assert saved.size == len(message)
    assert saved.raw.read() == message
    assert saved.status == MailStatus.NEW
    assert saved.subject == "My broadband keeps dropping"
    assert saved.from_address == "dana@example.com"
    assert saved.message_id in message.decode()


@pytest.mark.integration
@pytest.mark.django_db
def test_the_server_flags_a_message_saved_and_read_only_once_it_is_saved(mail_folder):
    uid = mail_folder.append(email(), arrived_at=ARRIVED)
    assert mail_folder.flags() == {uid: set()}

    save_new_messages()

    assert mail_folder.flags() == {uid: SAVED}


@pytest.mark.integration
@pytest.mark.django_db
def test_a_second_fetch_saves_nothing_new(mail_folder):
    mail_folder.append(email(), arrived_at=ARRIVED)
    save_new_messages()

    fetched = save_new_messages()

    assert (fetched.saved, fetched.already_saved, fetched.failed) == (0, 0, 0)
    assert InboundMessage.objects.count() == 1


@pytest.mark.integration
@pytest.mark.django_db
def test_only_new_messages_are_read_and_the_limit_takes_the_oldest_first(mail_folder):
    first, second, third = mail_folder.append_all([email(subject=f"Number {n}") for n in range(3)], arrived_at=ARRIVED)

    assert save_new_messages(limit=2).saved == 2
    assert set(InboundMessage.objects.values_list("uid", flat=True)) == {first, second}
    mail_folder.append(email(subject="Later"), arrived_at=ARRIVED)
    assert save_new_messages().saved == 2
    assert sorted(InboundMessage.objects.values_list("subject", flat=True)) == [
        "Later", "Number 0", "Number 1", "Number 2"]
    assert third in InboundMessage.objects.values_list("uid", flat=True)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                    reason="needs PostgreSQL: SQLite serialises writers (the two workers below run on both)")
def test_two_fetches_at_once_save_each_message_once(mail_folder, settings):
    uids = set(mail_folder.append_all([email(subject=f"Number {n}") for n in range(30)], arrived_at=ARRIVED))

    def fetch(wait):
        wait()
        return save_new_messages()

    results, errors = at_once(2, fetch)

    assert errors == []
    assert [result.failed for result in results] == [0, 0]
    assert sum(result.saved for result in results) == 30
    assert sorted(InboundMessage.objects.values_list("uid", flat=True)) == sorted(uids)
    assert len(stored_files(settings)) == 30, "the loser of a race deletes the file it wrote"
    assert mail_folder.flags() == dict.fromkeys(uids, SAVED)


def database_for_children(tmp_path):
    """Return the DATABASE_URL of this test's database for other processes, and a reader of its messages.

    On SQLite the in-memory test database is copied to a file first, which they then share.
    """
    if connection.vendor == "postgresql":
        return postgres_test_database_url(), lambda: list(InboundMessage.objects.values_list("uid", "status"))
    path = tmp_path / "children.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as target:
        connection.connection.backup(target)

    def messages():
        with closing(sqlite3.connect(path)) as database:
            return database.execute("SELECT uid, status FROM mailin_inboundmessage").fetchall()

    return f"sqlite:///{path}", messages


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_fetching_at_once_save_and_read_each_message_once(mail_folder, tmp_path):
    uids = set(mail_folder.append_all([email(subject=f"Number {n}") for n in range(100)], arrived_at=ARRIVED))
    url, messages = database_for_children(tmp_path)
    env = child_environment(DATABASE_URL=url, MAIL_IN_URL=mail_folder.url(), VAR_DIR=str(tmp_path),
                            MEDIA_ROOT=str(tmp_path / "uploads"))

    workers = [subprocess.Popen([sys.executable, "manage.py", "fetch_mail"], cwd=settings.BASE_DIR, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert all("could not be read: 0 " in output for output in outputs), outputs
    assert sum(int(re.search(r"new messages saved: (\d+)", output)[1]) for output in outputs) == 100
    # Read once: nobody on record sent them, so each waits for review.
    assert sorted(messages()) == [(uid, MailStatus.REVIEW) for uid in sorted(uids)]
    assert len(list((tmp_path / "uploads").rglob("*.eml"))) == 100
    assert mail_folder.flags() == dict.fromkeys(uids, SAVED)


@pytest.mark.integration
@pytest.mark.django_db
def test_a_fetch_that_died_between_saving_and_flagging_is_finished_by_flagging_only(mail_folder, settings):
    uid = mail_folder.append(email(), arrived_at=ARRIVED)
    # What the dead fetch left: the row saved, the message not flagged.
    InboundMessage.objects.create(
        mailbox=imap.parse_url(mail_folder.url()).name, uidvalidity=mail_folder.uidvalidity(), uid=uid,
        arrived_at=ARRIVED, size=10, raw=ContentFile(b"the record", name="message.eml"),
    )
    assert mail_folder.flags() == {uid: set()}

    fetched = save_new_messages()

    assert (fetched.saved, fetched.already_saved) == (0, 1)
    assert InboundMessage.objects.get().raw.read() == b"the record"
    assert len(stored_files(settings)) == 1
    assert mail_folder.flags() == {uid: SAVED}


@pytest.mark.integration
@pytest.mark.django_db
def test_a_message_the_server_cannot_read_is_left_unread_and_the_others_are_saved_after_it(mail_folder, caplog):
    before = mail_folder.append(email(subject="Before"), arrived_at=ARRIVED)
    broken = mail_folder.append(email(subject="Broken"), arrived_at=ARRIVED)
    after = mail_folder.append(email(subject="After"), arrived_at=ARRIVED)
    stored = mail_folder.file_containing(b"Subject: Broken")
    stored.chmod(0)

    fetched = save_new_messages()

    assert (fetched.saved, fetched.failed) == (2, 1)
    assert sorted(InboundMessage.objects.values_list("subject", flat=True)) == ["After", "Before"]
    assert mail_folder.flags() == {before: SAVED, broken: set(), after: SAVED}
    assert f"Could not save message UID {broken}" in caplog.text

    # Dovecot has moved the file from new/ to cur/ meanwhile, keeping its unique name.
    [stored] = stored.parent.parent.glob(f"*/{stored.name.split(':')[0]}*")
    stored.chmod(0o600)
    assert save_new_messages().saved == 1
    assert mail_folder.flags()[broken] == SAVED


@pytest.mark.integration
@pytest.mark.django_db
def test_a_folder_whose_name_has_a_space_is_read(dovecot, settings):
    folder = dovecot.create_folder("Complaints in")
    settings.MAIL_IN_URL = folder.url()
    folder.append(email(), arrived_at=ARRIVED)

    assert save_new_messages().saved == 1
    assert InboundMessage.objects.get().mailbox == "portal@127.0.0.1/Complaints in"


@pytest.mark.integration
@pytest.mark.django_db
def test_a_folder_that_would_not_keep_the_keyword_is_refused_rather_than_read_again_and_again(mail_folder):
    mail_folder.append(email(), arrived_at=ARRIVED)
    mail_folder.forbid_keywords()

    with pytest.raises(imap.MailboxError, match=r"will not keep the keyword \$PortalSaved.*\(\\Seen\)"):
        save_new_messages()

    assert not InboundMessage.objects.exists()


@pytest.mark.integration
@pytest.mark.django_db
def test_imaps_verifies_the_server_certificate(mail_folder, settings, monkeypatch):
    mail_folder.append(email(), arrived_at=ARRIVED)
    settings.MAIL_IN_URL = mail_folder.url(tls=True)

    with pytest.raises(imap.MailboxError, match="CERTIFICATE_VERIFY_FAILED"):
        save_new_messages()

    # Once the server's certificate is trusted, the same URL reads the mailbox over TLS.
    monkeypatch.setenv("SSL_CERT_FILE", str(mail_folder.server.certificate))
    assert save_new_messages().saved == 1


@pytest.mark.integration
@pytest.mark.django_db
def test_a_folder_that_is_not_there_is_a_clear_error(dovecot, settings):
    settings.MAIL_IN_URL = dovecot.url("Gone")

    with pytest.raises(imap.MailboxError, match="portal@127.0.0.1/Gone: the server would not open the folder"):
        save_new_messages()


@pytest.mark.integration
@pytest.mark.django_db
def test_a_wrong_password_is_a_clear_command_error_that_never_shows_the_password(mail_folder, settings):
    settings.MAIL_IN_URL = mail_folder.url(password="not-the-password")

    with pytest.raises(CommandError) as refused:
        call_command("fetch_mail")

    assert "Could not read the mailbox" in str(refused.value)
    assert f"portal@127.0.0.1/{mail_folder.name}" in str(refused.value)
    assert "not-the-password" not in str(refused.value)


def test_a_plain_imap_url_to_another_host_is_refused_before_connecting(settings):
    settings.MAIL_IN_URL = "imap://portal:secret@mail.example.com/INBOX"

    with pytest.raises(imap.MailboxError, match="imaps://"):
        save_new_messages()


@pytest.mark.parametrize("url, problem", [
    ("", "empty"),
    ("pop3://portal:secret@mail.example.com/INBOX", "not imaps://"),
    ("imaps://mail.example.com/INBOX", "must name the user, the password and the server"),
    ("imaps://portal:secret@mail.example.com:port/INBOX", "bad port"),
    ("imaps://portal:secret@mail.example.com/Bo%C3%AEte", "ASCII"),
])
def test_a_bad_mail_in_url_says_what_is_wrong(url, problem):
    with pytest.raises(imap.MailboxError, match=problem):
        imap.parse_url(url)


def test_the_url_gives_the_decoded_user_and_password_and_defaults_to_inbox_on_993():
    place = imap.parse_url("imaps://complaints%40example.com:p%40ss%2Fw0rd@Mail.Example.com")

    assert (place.user, place.password, place.host, place.port, place.folder) == (
        "complaints@example.com", "p@ss/w0rd", "mail.example.com", 993, "INBOX")
    assert place.name == "complaints@example.com@mail.example.com/INBOX"


def test_a_silent_server_fails_the_fetch_instead_of_hanging():
    with socket.socket() as silent:
        # Connections are accepted (by the kernel) and never greeted.
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"imap://portal:secret@127.0.0.1:{silent.getsockname()[1]}/INBOX"
        raised = []

        def connect():
            try:
                with imap.open_mailbox(url, timeout=1):
                    pass
            except imap.MailboxError as exc:
                raised.append(exc)

        attempt = threading.Thread(target=connect)
        attempt.start()
        attempt.join(timeout=10)

    assert not attempt.is_alive() and len(raised) == 1
    assert "timed out" in str(raised[0])


@pytest.mark.integration
@pytest.mark.django_db
def test_the_command_saves_and_reads_new_mail_and_says_what_became_of_it(mail_folder):
    mail_folder.append(email(), arrived_at=ARRIVED)
    out = StringIO()

    call_command("fetch_mail", stdout=out)

    assert out.getvalue() == (
        f"portal@127.0.0.1/{mail_folder.name}: new messages saved: 1; saved before: 0; could not be read: 0 "
        "(see the log).\nMessages read: 1.\n  To review: 1\n")
    assert InboundMessage.objects.get().status == MailStatus.REVIEW


@pytest.mark.django_db
def test_what_earlier_fetches_saved_is_read_even_while_the_mailbox_is_down(settings):
    waiting = InboundMessage.objects.create(
        mailbox="portal@127.0.0.1/INBOX", uidvalidity=1, uid=1, arrived_at=ARRIVED, size=100,
        raw=ContentFile(email(), name="message.eml"),
    )
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.MAIL_IN_URL = f"imap://portal:secret@127.0.0.1:{closed.getsockname()[1]}/INBOX"

    with pytest.raises(imap.MailboxError, match="Could not connect"):
        fetch()

    waiting.refresh_from_db()
    assert waiting.status == MailStatus.REVIEW


@pytest.mark.django_db
def test_the_task_does_nothing_when_no_mailbox_is_set(settings, caplog):
    settings.MAIL_IN_URL = ""

    fetch_mail()

    assert [record for record in caplog.records if record.name.startswith("mailin")] == []
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_the_task_logs_a_mailbox_it_cannot_reach_and_leaves_it_to_the_next_run(settings, caplog):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.MAIL_IN_URL = f"imap://portal:secret@127.0.0.1:{closed.getsockname()[1]}/INBOX"

    with caplog.at_level(logging.ERROR, logger="mailin.tasks"):
        fetch_mail()

    assert "Could not read the mailbox; the next run tries again: Could not connect" in caplog.text


def test_the_command_says_how_to_set_the_mailbox_when_none_is_set(settings):
    settings.MAIL_IN_URL = ""

    with pytest.raises(CommandError, match=r"MAIL_IN_URL is not set.*imaps://user:password@"):
        call_command("fetch_mail", stdout=StringIO())


def test_the_command_refuses_a_limit_below_one(settings):
    settings.MAIL_IN_URL = "imaps://portal:secret@mail.example.com/INBOX"

    with pytest.raises(CommandError, match="--limit must be 1 or more"):
        call_command("fetch_mail", "--limit", "0", stdout=StringIO())
