from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mailin import fetch, imap
from mailin.models import MailStatus


class Command(BaseCommand):
    help = "Read the mailbox (MAIL_IN_URL) now: save its new messages, then act on every message not read yet."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, help="Save at most this many new messages (the oldest).")

    def handle(self, *args, limit=None, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more (leave it out to save every new message).")
        if not settings.MAIL_IN_URL:
            raise CommandError(
                "MAIL_IN_URL is not set, so there is no mailbox to read. Set it to the mailbox, e.g. "
                "MAIL_IN_URL=imaps://user:password@mail.example.com/INBOX (see docs/operations.md, \"Mail in\")."
            )
        try:
            fetched = fetch.fetch(limit=limit)
        except imap.MailboxError as exc:
            raise CommandError(f"Could not read the mailbox: {exc}") from exc
        self.stdout.write(f"{fetched.mailbox}: new messages saved: {fetched.saved}; saved before: "
                          f"{fetched.already_saved}; could not be read: {fetched.failed} (see the log).")
        self.stdout.write(f"Messages read: {sum(fetched.processed.values())}.")
        for status, count in fetched.processed.items():
            self.stdout.write(f"  {MailStatus(status).label}: {count}")
