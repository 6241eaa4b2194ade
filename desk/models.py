"""The desk's own records: the replies managers keep for agents to start a message from."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class SavedReply(models.Model):
    """A reply managers keep; an agent inserts it into a message and edits it before sending.

    The body is plain text whose only placeholders are those ``desk.saved_replies`` lists; it
    is never run as a template.
    """

    title = models.CharField(max_length=120, unique=True)
    body = models.TextField("text", max_length=10_000)
    is_active = models.BooleanField(
        "offered to agents", default=True,
        help_text="Untick to stop offering this reply on complaints' pages while keeping it.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False,
                                   related_name="+")

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "saved replies"

    def __str__(self):
        return self.title

    def clean(self):
        # Imported here: desk.saved_replies reads this model, and the placeholders are its to list.
        from desk.saved_replies import check

        try:
            check(self.body)
        except ValidationError as error:
            raise ValidationError({"body": error}) from error
