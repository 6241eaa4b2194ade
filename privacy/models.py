import secrets

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.utils import timezone

import clock
from complaints.models import Channel


class Erasure(models.Model):
    """The record that a complaint's personal data was erased after the retention period.

    Its existence marks the complaint as anonymised. ``counts`` says what was erased;
    ``letter_hashes`` keeps the SHA-256 of each letter's PDF as it was sent, so the erasure
    can be checked against the letters without keeping their contents.
    """

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.PROTECT, related_name="erasure")
    erased_at = models.DateTimeField(default=timezone.now)
    retention_years = models.PositiveSmallIntegerField(help_text="The retention period in force at the time.")
    counts = models.JSONField(default=dict, blank=True)
    letter_hashes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self):
        return f"Erasure of {self.complaint}"


class CustomerErasure(models.Model):
    """The record that a customer's own details were erased once all their complaints were.

    Only customers who closed their account, or who never had one (phone and letter
    customers), are erased; the customer type and business size stay for the figures.
    """

    customer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=100)

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self):
        return f"Erasure of customer #{self.customer_id}"


class AccountClosure(models.Model):
    """A customer closed their account: they can no longer log in; their complaints stay until erased."""

    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_closure"
    )
    closed_at = models.DateTimeField(default=timezone.now)
    open_complaints = models.PositiveIntegerField(help_text="Open complaints when the account closed.")
    withdrawn_complaints = models.PositiveIntegerField(
        default=0, help_text="Open complaints the customer asked us to withdraw as they closed the account."
    )

    class Meta:
        ordering = ["-closed_at"]

    def __str__(self):
        return f"Account #{self.customer_id} closed {clock.uk_time(self.closed_at):%d %B %Y}"


class FileToDelete(models.Model):
    """A stored file to delete once the transaction that let go of it has committed.

    Written in that transaction, so a crash between the commit and the deletion leaves the
    row behind for the retention job to finish.
    """

    name = models.CharField(max_length=255, help_text="The file's name in the default storage.")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.name


class SarStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"


def export_path(instance, filename):
    # A random name: the file holds everything we know about someone.
    return f"subject-access/{secrets.token_hex(16)}.zip"


class SubjectAccessRequest(models.Model):
    """A customer's request for a copy of their personal data, made by phone, email or letter.

    It must be answered within one calendar month of receipt (``SAR_RESPONSE_MONTHS``). Staff
    generate the same export a customer downloads from their profile, send it, and mark the
    request answered; the file is then deleted and only its SHA-256 kept. Each step is
    recorded in the request's log.
    """

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    channel = models.CharField("how it arrived", max_length=10, choices=Channel.choices, default=Channel.PHONE)
    received_at = models.DateTimeField(default=timezone.now, help_text="When the request reached us.")
    due_on = models.DateField(help_text="The last day to answer (one calendar month, next working day).")
    status = models.CharField(max_length=10, choices=SarStatus.choices, default=SarStatus.OPEN)
    notes = models.TextField(
        blank=True, help_text="How the requester's identity was checked, and anything else the answer needs."
    )
    export = models.FileField(upload_to=export_path, blank=True, editable=False)
    export_sha256 = models.CharField("export SHA-256", max_length=64, blank=True, editable=False)
    export_generated_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "subject access request"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["due_on"], name="sar_open_due", condition=models.Q(status="open"))]

    def __str__(self):
        return f"Subject access request #{self.pk}"

    @staticmethod
    def due_for(received_on):
        """Return the last day to answer a request received on a UK date.

        One calendar month: the same day of the next month, or that month's last day when
        it is shorter (31 January gives 28 or 29 February); a weekend or an England and Wales
        bank holiday moves it to the next working day. This is the ICO's reading of the rule.
        """
        due = received_on + relativedelta(months=settings.SAR_RESPONSE_MONTHS)
        return clock.next_working_day(due)

    def fix_due_date(self):
        self.due_on = self.due_for(clock.uk_date(self.received_at))

    def is_overdue(self, today=None):
        today = today or clock.uk_today()
        return self.status == SarStatus.OPEN and today > self.due_on


class SarLogEntry(models.Model):
    """One step in a subject access request's life: its audit trail."""

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.PROTECT, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(max_length=300)

    class Meta:
        verbose_name = "log entry"
        verbose_name_plural = "log"
        ordering = ["at", "pk"]

    def __str__(self):
        return self.summary
