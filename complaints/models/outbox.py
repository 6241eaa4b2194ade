
from django.db import models
from django.utils import timezone

from common.message_ids import new_message_id


class EmailKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    REPLY = "reply", "Reply notification"
    STATUS = "status", "Status update"
    CODE_OF_PRACTICE = "code_of_practice", "Code of Practice copy"
    DEADLINE_WARNING = "deadline_warning", "Deadline warning"
    DIGEST = "digest", "Managers' weekly digest"
    OTHER = "other", "Other"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutgoingEmail(models.Model):
    """An email owed to someone, saved in the same transaction as its cause.

    A task enqueued on commit delivers it; a periodic retry picks up whatever is still
    pending, so a broker or mail-server outage delays an email but never loses it. The
    Message-ID and Reply-To are fixed here, so a repeated delivery after a crash, or after
    the settings changed, is the same message.
    """

    kind = models.CharField(max_length=30, choices=EmailKind.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, null=True, blank=True, related_name="emails"
    )
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    reply_to = models.EmailField(
        blank=True, editable=False,
        help_text="Where the customer's answer goes: the portal's mailbox when the email was queued. "
                  "Empty for staff's emails and those about no complaint.",
    )
    message_id = models.CharField(max_length=200, unique=True, default=new_message_id, editable=False)
    status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="outbox_pending_due",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to}"
