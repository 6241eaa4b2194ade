import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class EventKind(models.TextChoices):
    FILED = "filed", "Complaint received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    STATUS_CHANGED = "status_changed", "Status changed"
    REOPENED = "reopened", "Reopened"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MESSAGE = "message", "Message"
    NOTE = "note", "Internal note"
    ATTACHMENT = "attachment", "Attachment added"
    ASSIGNED = "assigned", "Assigned"
    RECEIVED_DATE_CHANGED = "received_date_changed", "Date received changed"
    EMAIL_SENT = "email_sent", "Email sent"
    EMAIL_FAILED = "email_failed", "Email failed"
    DEADLINE_WARNING = "deadline_warning", "Deadline warning"
    LETTER = "letter", "Letter"
    DEADLOCK = "deadlock", "Deadlock"
    OMBUDSMAN = "ombudsman", "Ombudsman"
    ERASED = "erased", "Personal data erased"
    MERGED = "merged", "Merged"


# The events the portal writes to keep its own books (letters written and posted, emails sent
# or failed, warnings to staff): none is something an agent must read before answering.
BOOKKEEPING_KINDS = (EventKind.LETTER, EventKind.EMAIL_SENT, EventKind.EMAIL_FAILED, EventKind.DEADLINE_WARNING)


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete a timeline event."""


class EventQuerySet(models.QuerySet):
    def for_customer(self):
        return self.filter(visible_to_customer=True)

    def update(self, **kwargs):
        raise AppendOnlyError("Timeline events are append-only.")

    def delete(self):
        raise AppendOnlyError("Timeline events are append-only.")

    def erase_personal_data(self):
        """Replace these events' words with their kind's name, keeping kinds, dates, actors and data.

        The one sanctioned change to the timeline: privacy.services.anonymise_complaint calls
        it when a complaint's retention period ends. Nothing else may.
        """
        generic = [models.When(kind=value, then=models.Value(label)) for value, label in EventKind.choices]
        return super().update(summary=models.Case(*generic, default=models.Value("Erased")), body="")


class Event(models.Model):
    """One entry in a complaint's append-only timeline: who did what, and when."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="Empty when the system acted.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    summary = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    visible_to_customer = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at"], name="event_complaint_time")]

    def __str__(self):
        return f"{self.complaint_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Timeline events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Timeline events are append-only.")


def attachment_path(instance, filename):
    # A random name: the customer's file name is kept in the row, never used on disk.
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class AttachmentQuerySet(models.QuerySet):
    def for_customer(self):
        """Return the attachments a customer may see: none from internal notes."""
        return self.filter(models.Q(event__isnull=True) | models.Q(event__visible_to_customer=True))


class Attachment(models.Model):
    """A file a customer or agent attached to a complaint (PDF, PNG or JPEG)."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @staticmethod
    def hash_of(uploaded):
        digest = hashlib.sha256()
        for chunk in uploaded.chunks():
            digest.update(chunk)
        uploaded.seek(0)
        return digest.hexdigest()
