"""Celery task: read the mailbox (beat runs it every MAIL_IN_MINUTES when MAIL_IN_URL is set)."""

import logging

from celery import shared_task
from django.conf import settings

from mailin import fetch, imap

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def fetch_mail():
    """Save the mailbox's new messages and act on them; do nothing when MAIL_IN_URL is empty.

    Two runs at once are safe (each message is claimed by its row). A mailbox that cannot be
    read is logged; the next run tries again.
    """
    if not settings.MAIL_IN_URL:
        return
    try:
        fetch.fetch()
    except imap.MailboxError as exc:
        logger.error("Could not read the mailbox; the next run tries again: %s", exc)
