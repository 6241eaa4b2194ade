import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


class PostalKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    MESSAGE = "message", "Message from the complaints team"
    FINAL_ANSWER = "final_answer", "Final answer"


class PostStatus(models.TextChoices):
    PRINT_QUEUED = "print_queued", "In the print queue"
    POSTED = "posted", "Posted"


class PostalLetter(models.Model):
    """What a customer who gets letters by post is sent instead of an email.

    Written in the same transaction as its cause, it waits in the print queue until an
    agent marks it as posted. Its HTML is fixed when written; the PDF is made from it once,
    at the first download, and kept with its SHA-256.
    """

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="postal_letters")
    kind = models.CharField(max_length=20, choices=PostalKind.choices)
    event = models.ForeignKey(
        "complaints.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The message the letter carries.",
    )
    html = models.TextField()
    large_print = models.BooleanField(default=False, help_text="Written in large print, as the customer asked.")
    pdf = models.BinaryField(blank=True, editable=False)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True)
    status = models.CharField(max_length=15, choices=PostStatus.choices, default=PostStatus.PRINT_QUEUED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint"], condition=models.Q(kind="acknowledgement"),
                                    name="complaints_one_postal_acknowledgement"),
        ]
        indexes = [
            models.Index(fields=["created_at"], name="postal_letter_print_queue",
                         condition=models.Q(status="print_queued")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} letter for {self.complaint}"

    @property
    def filename(self):
        return f"{self.complaint.tracking_number}-{self.kind.replace('_', '-')}-{self.pk}.pdf"

    @staticmethod
    def hash_of(pdf: bytes) -> str:
        return hashlib.sha256(pdf).hexdigest()
