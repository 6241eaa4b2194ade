"""The portal's mailbox over IMAP (the standard library's imaplib).

MAIL_IN_URL names it: ``imaps://user:password@host[:port]/FOLDER`` (user and password
percent-encoded; the folder is INBOX when none is given). Only TLS with a verified certificate
is accepted, but for a server on this machine (``imap://127.0.0.1``), where the password never
crosses a network. Every socket operation has a time limit, so a server that stops answering
fails the fetch instead of holding a worker.

Messages are only read and flagged: the portal never deletes or moves anything on the server.
"""

import imaplib
import re
import ssl
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit

TIMEOUT_SECONDS = 30
# The keyword the portal sets on each message once it has saved it: a fetch reads only the
# messages without it.
SAVED_KEYWORD = "$PortalSaved"
# A message is read in pieces of this size, so a large one never sits whole in memory.
CHUNK_BYTES = 1024 * 1024
LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
INTERNALDATE = re.compile(
    rb'INTERNALDATE "\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})"'
)


class MailboxError(Exception):
    """The mailbox cannot be read: a bad MAIL_IN_URL, or a server that is down, silent or refusing."""


class ConnectionLost(MailboxError):
    """The server dropped the session (or stopped answering) in the middle of it."""


class MessageError(Exception):
    """The server would not give one message; the others can still be read."""


@dataclass(frozen=True)
class Place:
    """Where the mailbox is, as MAIL_IN_URL says."""

    tls: bool
    host: str
    port: int
    user: str
    password: str
    folder: str

    @property
    def name(self):
        """Return "user@host/FOLDER": the mailbox's name on its rows (never the password)."""
        return f"{self.user}@{self.host}/{self.folder}"


def parse_url(url):
    """Return the Place MAIL_IN_URL names; raise MailboxError, saying what is wrong, for a bad one."""
    example = "imaps://user:password@mail.example.com/INBOX"
    parts = urlsplit(url)
    if parts.scheme not in ("imaps", "imap"):
        raise MailboxError(f"MAIL_IN_URL must look like {example} (it is {'empty' if not url else 'not imaps://'}).")
    try:
        port = parts.port or (993 if parts.scheme == "imaps" else 143)
    except ValueError as exc:
        raise MailboxError(f"MAIL_IN_URL has a bad port: {exc}.") from exc
    if not parts.hostname or not parts.username or parts.password is None:
        raise MailboxError(f"MAIL_IN_URL must name the user, the password and the server: {example}.")
    if parts.scheme == "imap" and parts.hostname not in LOCAL_HOSTS:
        raise MailboxError(
            f"MAIL_IN_URL: imap:// would send the mailbox's password to {parts.hostname} unencrypted. "
            "Use imaps:// (IMAP over TLS); plain imap:// is only for a server on this machine."
        )
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    if not folder.isascii():
        raise MailboxError("MAIL_IN_URL: give the folder by its IMAP name, in ASCII.")
    return Place(tls=parts.scheme == "imaps", host=parts.hostname, port=port, user=unquote(parts.username),
                 password=unquote(parts.password), folder=folder)


@contextmanager
def open_mailbox(url, *, timeout=TIMEOUT_SECONDS):
    """Yield the Mailbox at ``url``, logged in with its folder selected; log out at the end.

    Raise MailboxError when it cannot be reached, refuses the log-in or has no such folder.
    """
    place = parse_url(url)
    try:
        if place.tls:
            connection = imaplib.IMAP4_SSL(place.host, place.port, ssl_context=ssl.create_default_context(),
                                           timeout=timeout)
        else:
            connection = imaplib.IMAP4(place.host, place.port, timeout=timeout)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"Could not connect to {place.host}:{place.port}: {exc}") from exc
    try:
        yield Mailbox(connection, place)
    finally:
        # The session is over whatever the server says to the goodbye.
        with suppress(OSError, imaplib.IMAP4.error):
            connection.logout()


class Mailbox:
    """One logged-in IMAP session with the folder selected (read-write: the portal sets flags)."""

    def __init__(self, connection, place):
        self.connection = connection
        self.name = place.name
        try:
            connection.login(place.user, place.password)
            typ, data = connection.select(quoted(place.folder))
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"{self.name}: {describe(exc)}") from exc
        if typ != "OK":
            raise MailboxError(f"{self.name}: the server would not open the folder: {describe(data)}")
        _typ, values = connection.response("UIDVALIDITY")
        if not values or values[0] is None:
            raise MailboxError(f"{self.name}: the server gave no UIDVALIDITY for the folder.")
        self.uidvalidity = int(values[0])
        # A server that does not keep the keyword answers OK and drops it: every fetch would read
        # the whole folder again. (No PERMANENTFLAGS at all means every flag is kept.)
        _typ, values = connection.response("PERMANENTFLAGS")
        kept = values[-1].strip(b"()").split() if values and values[-1] else [b"\\*"]
        if b"\\*" not in kept and SAVED_KEYWORD.encode() not in kept:
            raise MailboxError(
                f"{self.name}: the server will not keep the keyword {SAVED_KEYWORD} on messages (it keeps only "
                f"{describe(values)}), which the portal sets on each message it has saved. Give the account the "
                "right to set flags, or use a server that keeps keywords."
            )

    def unsaved_uids(self):
        """Return the UIDs of the messages not flagged with SAVED_KEYWORD yet, oldest first."""
        try:
            data = self._uid("SEARCH", "UNKEYWORD", SAVED_KEYWORD)
        except MessageError as exc:
            raise MailboxError(str(exc)) from exc
        return sorted(int(uid) for item in data if item for uid in item.split())

    def arrived_at(self, uid):
        """Return when the server received message ``uid`` (its INTERNALDATE), an aware datetime."""
        for item in self._uid("FETCH", str(uid), "(UID INTERNALDATE)"):
            match = INTERNALDATE.search(item) if isinstance(item, bytes) and is_for(item, uid) else None
            if match:
                day, month, year, hour, minute, second, sign, off_hours, off_minutes = match.groups()
                offset = timedelta(hours=int(off_hours), minutes=int(off_minutes)) * (-1 if sign == b"-" else 1)
                return datetime(int(year), MONTHS.index(month.decode().title()) + 1, int(day), int(hour),
                                int(minute), int(second), tzinfo=timezone(offset))
        raise MessageError(f"{self.name}: no INTERNALDATE for message UID {uid} (is it still there?)")

    def read(self, uid, into):
        """Write message ``uid`` whole to the binary file ``into``, piece by piece; return its size.

        BODY.PEEK never sets \\Seen: a message is marked read only once it is saved.
        """
        size = 0
        while True:
            data = self._uid("FETCH", str(uid), f"(UID BODY.PEEK[]<{size}.{CHUNK_BYTES}>)")
            piece = literal(data, uid)
            if piece is None:
                raise MessageError(f"{self.name}: the server did not give message UID {uid}.")
            into.write(piece)
            size += len(piece)
            if len(piece) < CHUNK_BYTES:
                return size

    def mark_saved(self, uid):
        """Flag message ``uid`` on the server as saved (SAVED_KEYWORD) and read (\\Seen)."""
        self._uid("STORE", str(uid), "+FLAGS.SILENT", f"({SAVED_KEYWORD} \\Seen)")

    def _uid(self, command, *args):
        try:
            typ, data = self.connection.uid(command, *args)
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise ConnectionLost(f"{self.name}: the connection failed: {describe(exc)}") from exc
        except imaplib.IMAP4.error as exc:
            raise MessageError(f"{self.name}: UID {command} {args[0]} was refused: {describe(exc)}") from exc
        if typ != "OK":
            raise MessageError(f"{self.name}: UID {command} {args[0]} was refused: {describe(data)}")
        return data


def quoted(folder):
    """Return ``folder`` as an IMAP quoted string (imaplib sends arguments as they are)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def is_for(header, uid):
    return re.search(rb"\bUID %d\b" % uid, header) is not None


def literal(data, uid):
    """Return the body piece a FETCH answered for ``uid`` (b"" past its end), or None if it gave none."""
    for index, item in enumerate(data):
        if isinstance(item, tuple) and b"BODY[]" in item[0]:
            trailer = data[index + 1] if index + 1 < len(data) and isinstance(data[index + 1], bytes) else b""
            if is_for(item[0] + trailer, uid):
                return item[1]
        # Past the end a server answers an empty string (or NIL) instead of a literal.
        if isinstance(item, bytes) and b"BODY[]" in item and is_for(item, uid):
            return b""
    return None


def describe(error):
    """Return a server's answer (an exception or imaplib's data) as readable text."""
    parts = error.args if isinstance(error, Exception) else error
    return " ".join(part.decode(errors="replace") if isinstance(part, bytes) else str(part) for part in parts)
