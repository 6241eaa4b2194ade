from django.db import models
from django.utils import timezone


class SweepRun(models.Model):
    """One run of the clock sweep: the heartbeat /healthz and the admin banner read.

    A run that crashed keeps ``finished_at`` empty, so only completed runs count as signs
    of life.
    """

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    swept_as_of = models.DateTimeField(help_text="The moment the sweep treated as now.")
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="Letters the sweep could not write, and why.")

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "finished_at"
        indexes = [models.Index(fields=["-finished_at"], name="sweeprun_finished")]

    def __str__(self):
        return f"Sweep at {timezone.localtime(self.started_at):%Y-%m-%d %H:%M:%S}"

    @classmethod
    def last_finished(cls):
        return cls.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
