from django.db import models
from django.utils import timezone

import clock


class SweepRun(models.Model):
    """One run of the clock sweep: the heartbeat /healthz and the admin banner read.

    A run that crashed keeps ``finished_at`` empty, so only completed runs count as signs
    of life.
    """

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    swept_as_of = models.DateTimeField(help_text="The moment the sweep treated as now.")
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="Rows the sweep could not handle, and why.")

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "finished_at"
        indexes = [models.Index(fields=["-finished_at"], name="sweeprun_finished")]

    def __str__(self):
        return f"Sweep at {clock.uk_time(self.started_at):%Y-%m-%d %H:%M:%S}"


class SweepStep(models.TextChoices):
    ADR_LETTER = "adr_letter", "ADR letter"
    COMPLIANCE_REMINDER = "compliance_reminder", "Compliance reminder"
    COMPLIANCE_OVERDUE = "compliance_overdue", "Compliance overdue"
    DEADLINE_WARNING = "deadline_warning", "Deadline warning"
    EMAIL = "email", "Email delivery"
    LETTER = "letter", "Letter delivery"


class SweepFailure(models.Model):
    """A row one step of the sweep could not handle, kept until the step handles it.

    While it is here the row is skipped until ``retry_at`` (backing off), every other row
    goes on, and /healthz and the admin banner say the clock is degraded. The sweep removes
    it once the row succeeds or is no longer due.
    """

    step = models.CharField(max_length=20, choices=SweepStep.choices)
    # The complaint, referral, email or letter the step was handling (by step).
    object_id = models.PositiveBigIntegerField()
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="+")
    attempts = models.PositiveIntegerField(default=1)
    first_failed_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()
    retry_at = models.DateTimeField(help_text="The sweep leaves the row alone until then.")
    error = models.TextField()

    class Meta:
        ordering = ["first_failed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["step", "object_id"], name="sweepfailure_one_per_row")]

    def __str__(self):
        return f"{self.get_step_display()} {self.object_id}"
