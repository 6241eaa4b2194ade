"""Read the mailbox's new messages, save each exactly once, then act on them (mailin.services).

A message is new while it lacks the portal's keyword (imap.SAVED_KEYWORD, ``$PortalSaved``).
Each is saved as an InboundMessage row, with the original as a file, and only then flagged on
the server (the keyword and \\Seen). The row's unique (mailbox, UIDVALIDITY, UID) is the claim,
never the sender's Message-ID: of two fetches reading one message, one saves it and the other
meets the constraint and only flags it; a fetch that died between saving and flagging leaves
the message unflagged, and the next one meets its row and only flags it. Nothing on the server
is deleted or moved.
"""

import logging
import tempfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction

from mailin import imap, parse, services
from mailin.models import InboundMessage

logger = logging.getLogger(__name__)


@dataclass
class Fetched:
    """What one fetch did."""

    mailbox: str
    saved: int = 0
    already_saved: int = 0
    failed: int = 0
    processed: dict = field(default_factory=dict)


def fetch(*, limit=None):
    """Save the mailbox's new messages (at most ``limit``), then act on every message not read yet.

    Return a Fetched. Raise imap.MailboxError when the mailbox cannot be read at all, after
    acting on the messages earlier fetches saved.
    """
    try:
        fetched = save_new_messages(limit=limit)
    finally:
        # What is saved is read even while the mailbox is down (say, after a fetch that died).
        processed = services.process_pending()
    fetched.processed = processed
    return fetched


def save_new_messages(*, limit=None):
    """Save each message not flagged as saved yet (at most ``limit``), then flag it; return a Fetched.

    A message the server will not give, or that cannot be saved, is logged and left unflagged
    for the next fetch; the others go on, in a new session if the server dropped the last one
    over it. Raise imap.MailboxError when the mailbox cannot be read at all.
    """
    with imap.open_mailbox(settings.MAIL_IN_URL) as mailbox:
        fetched = Fetched(mailbox=mailbox.name)
        waiting = save_each(mailbox, mailbox.unsaved_uids()[:limit], fetched)
    while waiting:
        with imap.open_mailbox(settings.MAIL_IN_URL) as mailbox:
            waiting = save_each(mailbox, waiting, fetched)
    return fetched


def save_each(mailbox, uids, fetched):
    """Save the messages ``uids`` in turn, counting in ``fetched``; return those left if the session drops."""
    for index, uid in enumerate(uids):
        try:
            if save_message(mailbox, uid):
                fetched.saved += 1
            else:
                fetched.already_saved += 1
        except imap.ConnectionLost:
            # Dovecot, for one, says BYE over a message it cannot read.
            logger.exception("Could not save message UID %s of %s; the next fetch tries again", uid, mailbox.name)
            fetched.failed += 1
            return uids[index + 1:]
        except Exception:  # noqa: BLE001 - one message must never stop the others
            logger.exception("Could not save message UID %s of %s; the next fetch tries again", uid, mailbox.name)
            fetched.failed += 1
    return []


def save_message(mailbox, uid):
    """Save message ``uid`` unless a row has it already, then flag it; return whether this saved it."""
    arrived_at = mailbox.arrived_at(uid)
    message = InboundMessage(mailbox=mailbox.name, uidvalidity=mailbox.uidvalidity, uid=uid, arrived_at=arrived_at)
    with tempfile.TemporaryFile() as spool:
        message.size = mailbox.read(uid, spool)
        spool.seek(0)
        # The summary reads only the headers, from the start of the message.
        for name, value in parse.summary(spool.read(parse.HEADER_BYTES)).items():
            setattr(message, name, value)
        spool.seek(0)
        # The file is written before the row, outside the transaction, so a large one never
        # holds the database's write lock.
        message.raw.save("message.eml", File(spool), save=False)
    saved = False
    try:
        with transaction.atomic():
            message.save()
        saved = True
    except IntegrityError:
        # Another fetch saved it first, or this one did before dying unflagged. Anything else
        # that breaks a constraint must not pass for that, or the message would be flagged unsaved.
        if not InboundMessage.objects.filter(mailbox=mailbox.name, uidvalidity=mailbox.uidvalidity,
                                             uid=uid).exists():
            raise
    finally:
        if not saved:
            message.raw.delete(save=False)
    mailbox.mark_saved(uid)
    return saved

