import hashlib

from django.db import connections, models
from django.utils import timezone

from common.message_ids import new_message_id


class LetterKind(models.TextChoices):
    ADR = "adr", "End of waiting period letter"
    DEADLOCK = "deadlock", "Deadlock letter"


class Delivery(models.TextChoices):
    EMAIL = "email", "Email"
    POST = "post", "Post"


class LetterStatus(models.TextChoices):
    PENDING = "pending", "Being sent"
    SENT = "sent", "Emailed"
    PRINT_QUEUED = "print_queued", "In the print queue"
    POSTED = "posted", "Posted"


class FrozenLetterError(Exception):
    """Raised on an attempt to change or delete a letter that has been sent."""


class LetterQuerySet(models.QuerySet):
    def create_unsent(self, letters):
        """Insert new letters (their PDFs not made yet) in one statement, setting their ids.

        On PostgreSQL the rows go as one array a column (``UNNEST``), as ``bulk_create`` sends
        other models' rows but cannot send these: the PDF's ``BinaryField`` has a placeholder of
        its own. A batch of 200 letters as 4,200 parameters cost a third of a sweep's claim.
        """
        self._for_write = True  # as bulk_create: on the database that takes writes
        connection = connections[self.db]
        if connection.vendor != "postgresql" or len(letters) < 2:
            return self.bulk_create(letters)
        fields = [field for field in self.model._meta.concrete_fields if not field.primary_key and field.name != "pdf"]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        arrays = ", ".join(f"%s::{field.db_type(connection).split('(')[0]}[]" for field in fields)
        values = [[field.get_db_prep_save(getattr(letter, field.attname), connection) for letter in letters]
                  for field in fields]
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}, {quote('pdf')}) "
                           f"SELECT *, ''::bytea FROM UNNEST({arrays}) RETURNING {quote('id')}", values)
            for letter, (pk,) in zip(letters, cursor.fetchall(), strict=True):
                letter.pk, letter._state.adding, letter._state.db = pk, False, self.db
        return letters

    def delete(self):
        if self.exclude(status=LetterStatus.PENDING).exists():
            raise FrozenLetterError("A sent letter cannot be deleted.")
        return super().delete()


class Letter(models.Model):
    """An ADR or deadlock letter: written once per kind and complaint, frozen once sent.

    The text and HTML are rendered when the letter is written, from the scheme's details as
    they were then (kept in ``scheme_details``). The PDF is made from that HTML once, at the
    first delivery or download, and kept with its SHA-256. Delivery is at least once with
    a fixed Message-ID, so a repeat after a crash is the same message.
    """

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=10, choices=LetterKind.choices)
    letter_date = models.DateField(help_text="The date printed on the letter (UK).")
    refer_by = models.DateField(help_text="The last day the customer may refer the complaint to the scheme.")
    scheme = models.ForeignKey("ombudsman.Scheme", on_delete=models.PROTECT, related_name="letters")
    scheme_details = models.JSONField(help_text="The scheme's details as the letter quotes them.")
    large_print = models.BooleanField(default=False)
    text = models.TextField()
    html = models.TextField()
    pdf = models.BinaryField(blank=True, editable=False)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True)

    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    to_email = models.EmailField(blank=True)
    # Where the customer's reply goes (the portal's mailbox), fixed when the letter is written.
    reply_to = models.EmailField(blank=True, editable=False)
    message_id = models.CharField(max_length=200, unique=True, default=new_message_id, editable=False)
    status = models.CharField(max_length=15, choices=LetterStatus.choices, default=LetterStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When it was emailed or posted.")

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "kind"], name="ombudsman_one_letter_per_kind"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="letter_pending_due", condition=models.Q(status="pending"),
            ),
            # The print queue and the admin banner's count read the few letters waiting to print,
            # as the postal letters' own index does.
            models.Index(
                fields=["created_at"], name="letter_print_queue", condition=models.Q(status="print_queued"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.complaint}"

    def save(self, *args, **kwargs):
        if not self._state.adding and self.is_frozen_in_db():
            raise FrozenLetterError("A sent letter cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_frozen_in_db():
            raise FrozenLetterError("A sent letter cannot be deleted.")
        return super().delete(*args, **kwargs)

    def is_frozen_in_db(self):
        return Letter.objects.filter(pk=self.pk).exclude(status=LetterStatus.PENDING).exists()

    @property
    def filename(self):
        return f"{self.complaint.tracking_number}-{self.kind}-letter.pdf"

    @staticmethod
    def hash_of(pdf: bytes) -> str:
        return hashlib.sha256(pdf).hexdigest()
