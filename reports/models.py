from django.db import models


class DigestWeek(models.Model):
    """A week whose digest has been queued: the unique week stops a rerun sending it twice."""

    week_beginning = models.DateField(unique=True)
    queued_at = models.DateTimeField()

    class Meta:
        ordering = ["-week_beginning"]

    def __str__(self):
        return f"Digest for the week beginning {self.week_beginning:%-d %B %Y}"
