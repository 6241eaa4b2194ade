"""The staff access log: which staff member saw which complaint's data, where, and when.

It lives with the complaints, below every app that shows one, so each staff route logs
what it shows itself (complaints.access.record_access).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from complaints.models.timeline import AppendOnlyError


class AccessKind(models.TextChoices):
    COMPLAINT_PAGE = "complaint_page", "Complaint page"
    ATTACHMENT = "attachment", "Attachment"
    EXPORT = "export", "Export"
    LETTER_PDF = "letter_pdf", "Letter PDF"
    LETTER = "letter", "Letter (text and address)"
    EMAIL = "email", "Email (whole message)"
    EMAIL_RECEIVED = "email_received", "Email received (whole message)"
    REFERRAL = "referral", "Ombudsman referral"
    SUBJECT_ACCESS_EXPORT = "sar_export", "Subject access export"


class ComplaintAccessQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The access log is append-only.")

    def delete(self):
        raise AppendOnlyError("The access log is append-only.")


class ComplaintAccess(models.Model):
    """One time a staff member opened a complaint's data on a staff route (append-only)."""

    # No single-column indexes: the two below lead with these columns and serve every lookup.
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="+",
                                  db_index=False)
    kind = models.CharField(max_length=20, choices=AccessKind.choices)
    at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ComplaintAccessQuerySet.as_manager()

    class Meta:
        # The table keeps the name it had when the desk owned the log.
        db_table = "desk_complaintaccess"
        verbose_name = "complaint access"
        verbose_name_plural = "complaint accesses"
        # Rows are only ever inserted at "now", so id order is time order, and the primary key
        # and these two indexes serve the admin list, one staff member's views and the
        # complaint page's latest views without a sort.
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["complaint", "id"], name="desk_access_complaint"),
            models.Index(fields=["staff", "id"], name="desk_access_staff"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of complaint {self.complaint_id} by user {self.staff_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log is append-only.")
