"""Mail the portal reads from its mailbox: each message kept whole, and what became of it."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class MailStatus(models.TextChoices):
    NEW = "new", "Not read yet"
    REPLY = "reply", "Added to a complaint"
    COMPLAINT = "complaint", "Made a complaint"
    REVIEW = "review", "To review"
    IGNORED = "ignored", "Automatic mail, ignored"
    DISMISSED = "dismissed", "Reviewed: not for a complaint"


def raw_path(instance, filename):
    # A random name: nothing from the sender reaches the file system.
    return f"mail/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.eml"


class InboundMessage(models.Model):
    """One message read from the mailbox, claimed by its place there (UIDVALIDITY and UID).

    The constraint on (mailbox, uidvalidity, uid) is the claim: of two fetches that read the
    same message, one saves it and the other finds it saved. The original is kept whole as a
    file for the record, whatever became of it.
    """

    mailbox = models.CharField(max_length=300, help_text="The account and folder it was read from.")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    arrived_at = models.DateTimeField(help_text="When our mail server received it (IMAP INTERNALDATE).")
    fetched_at = models.DateTimeField(default=timezone.now, editable=False)
    size = models.PositiveIntegerField()
    raw = models.FileField(upload_to=raw_path, help_text="The message as it arrived.")
    message_id = models.CharField(max_length=998, blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=MailStatus.choices, default=MailStatus.NEW)
    reason = models.TextField(blank=True, help_text="Why it waits for review, or was ignored.")
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, null=True, blank=True, related_name="inbound_messages"
    )
    event = models.ForeignKey("complaints.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The agent who dealt with it; empty when the portal did.",
    )

    class Meta:
        ordering = ["-arrived_at", "-id"]
        verbose_name = "email received"
        verbose_name_plural = "emails received"
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "uidvalidity", "uid"], name="mailin_one_row_per_message"),
        ]
        indexes = [
            # The messages saved and not read yet, oldest first, for the reader to claim.
            models.Index(fields=["fetched_at"], name="mailin_new", condition=models.Q(status="new")),
            # "Mail to review" on the desk.
            models.Index(fields=["arrived_at"], name="mailin_review", condition=models.Q(status="review")),
        ]

    def __str__(self):
        return f"Email from {self.from_address or 'an unknown sender'}: {self.subject or '(no subject)'}"
