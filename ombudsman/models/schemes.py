import copy
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction

import clock

# The Code of Practice's waiting period (8 weeks), used when no policy row applies.
DEFAULT_WAITING_PERIOD_DAYS = 56
# What a policy may hold: at least a day, and never longer than the Code's 8 weeks.
MIN_WAITING_PERIOD_DAYS, MAX_WAITING_PERIOD_DAYS = 1, 56


def in_sentence(name, takes_the):
    """Return a name as it reads inside a sentence: "the Office of ... (Otelo)", or "Otelo"."""
    return f"the {name}" if takes_the and name else name


class DayCount(models.TextChoices):
    CALENDAR = "calendar", "Calendar days"
    WORKING = "working", "Working days (England and Wales)"


class DataVersion(models.Model):
    """One number that moves on every change to the schemes and the waiting-period policies.

    Pages cached whole (the home and contact pages) key on it. It lives in the database so
    that a change made in one process shows at once in every other, whatever their caches.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="ombudsman_dataversion_one_row")]

    def __str__(self):
        return f"Schemes and policies, version {self.number}"

    @classmethod
    def current(cls):
        # Read by every public page served from the cache: plain SQL costs a third of the ORM's
        # building of the same query, which was most of such a page's time.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT number FROM {cls._meta.db_table} WHERE id = 1")
            row = cursor.fetchone()
        return row[0] if row else 0

    @classmethod
    def bump(cls):
        """Move the number, in the transaction of the change it marks.

        To a number drawn at random, not the next one: a change rolled back never hands its
        number out again, so what a process read under it (inside that transaction) is never
        taken for a later change's data.
        """
        number = secrets.randbits(62)
        if not cls.objects.filter(pk=1).update(number=number):
            # Migration 0011 made the row; only a flushed test database lacks it.
            cls.objects.get_or_create(pk=1, defaults={"number": number})


class VersionedQuerySet(models.QuerySet):
    """Writes through the queryset move the data version too, in the same transaction."""

    def update(self, **kwargs):
        with transaction.atomic():
            DataVersion.bump()
            return super().update(**kwargs)

    def delete(self):
        with transaction.atomic():
            DataVersion.bump()
            return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic():
            DataVersion.bump()
            return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, *args, **kwargs):
        with transaction.atomic():
            DataVersion.bump()
            return super().bulk_update(objs, *args, **kwargs)


class VersionedModel(models.Model):
    """A model whose every saved change moves the data version (see DataVersion)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic():
            DataVersion.bump()
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            DataVersion.bump()
            return super().delete(*args, **kwargs)


class SchemeQuerySet(VersionedQuerySet):
    def provider_scheme(self):
        """Return the active scheme the provider belongs to, or None if none is set up.

        Read from what this process keeps of the schemes (``Reference``), as fresh as the data
        version; a copy, so that changing it changes nothing kept.
        """
        scheme = Reference.current().provider_scheme
        return copy.copy(scheme) if scheme else None

    def kept(self, pk):
        """Return the scheme with this id as this process keeps it (``Reference``); a copy.

        One added without moving the data version (see ``Reference``) is read from the database.
        """
        scheme = Reference.current().schemes.get(pk)
        return copy.copy(scheme) if scheme else self.get(pk=pk)


class Scheme(VersionedModel):
    """An Ofcom-approved ADR scheme, with the details customers are given.

    Pages, emails and letters read the scheme's name and details from here, never from
    literals, so the provider can update them (Otelo now trades as the Communications
    Ombudsman).
    """

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60)
    # Whether a sentence says "the" before a name: "take it to the Office of the
    # Telecommunications Ombudsman (Otelo)", but "take it to Otelo". Pages, emails and letters
    # say the names through name_in_sentence and short_name_in_sentence.
    name_takes_the = models.BooleanField(
        "say “the” before the name", default=True,
        help_text="Ticked: “take your complaint to the Office of the Telecommunications Ombudsman (Otelo)”. "
                  "Untick for a name that reads without it, such as “Ombudsman Services”.",
    )
    short_name_takes_the = models.BooleanField(
        "say “the” before the short name", default=False,
        help_text="Unticked: “take your complaint to Otelo”. Tick for a short name such as “Communications "
                  "Ombudsman”, which reads “the Communications Ombudsman”.",
    )
    operator = models.CharField(max_length=200, blank=True, help_text="Who runs the scheme.")
    website = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    fax = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    postal_address = models.TextField(blank=True)
    is_active = models.BooleanField(default=False)
    is_provider_scheme = models.BooleanField(
        default=False, help_text="The scheme the provider is a member of; its details go to customers."
    )
    referral_window_months = models.PositiveSmallIntegerField(
        default=12, help_text="How long a customer has, from the latest ADR or deadlock letter."
    )
    compliance_deadline = models.PositiveSmallIntegerField(
        default=28, help_text="How long the provider has to comply with an accepted decision."
    )
    compliance_day_count = models.CharField(
        max_length=10, choices=DayCount.choices, default=DayCount.CALENDAR
    )
    award_limit = models.DecimalField(
        "award limit (GBP)", max_digits=10, decimal_places=2, default=Decimal("10000.00")
    )

    objects = SchemeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_provider_scheme"],
                condition=models.Q(is_provider_scheme=True),
                name="ombudsman_one_provider_scheme",
            ),
        ]

    def __str__(self):
        return self.name

    def missing_details(self):
        """List the contact details customers must be given that this scheme lacks."""
        required = {"name": self.name, "website": self.website, "phone": self.phone,
                    "postal address": self.postal_address}
        return [label for label, value in required.items() if not value.strip()]

    def clean(self):
        if (self.is_active or self.is_provider_scheme) and self.missing_details():
            missing = ", ".join(self.missing_details())
            raise ValidationError(f"Fill in the scheme's {missing} before it can be used.")
        if self.is_provider_scheme and not self.is_active:
            raise ValidationError("The provider's scheme must be active.")

    @property
    def name_in_sentence(self):
        """The name as a sentence says it, with "the" where it needs one (capfirst it to start a sentence)."""
        return in_sentence(self.name, self.name_takes_the)

    @property
    def short_name_in_sentence(self):
        return in_sentence(self.short_name, self.short_name_takes_the)

    @property
    def website_url(self):
        if self.website.startswith(("http://", "https://")):
            return self.website
        return f"https://{self.website}"

    def snapshot(self):
        """Return the details a letter quotes, to keep them as they were when it was written."""
        fields = ("slug", "name", "short_name", "name_takes_the", "short_name_takes_the", "name_in_sentence",
                  "short_name_in_sentence", "operator", "website", "phone", "fax", "email", "postal_address",
                  "referral_window_months")
        return {field: getattr(self, field) for field in fields}

    def compliance_due_on(self, accepted_on: date) -> date:
        """Return the last day to comply with a decision the customer accepted on that date."""
        if self.compliance_day_count == DayCount.CALENDAR:
            return accepted_on + timedelta(days=self.compliance_deadline)
        return clock.add_working_days(accepted_on, self.compliance_deadline)


class WaitingPeriodPolicy(VersionedModel):
    """The ADR waiting period for complaints received on or after a date.

    Each complaint fixes its period from the row in force on the day it was received, so a
    new row never moves the clock of a complaint already in flight.
    """

    effective_from = models.DateField(
        unique=True, help_text="Applies to complaints received on or after this date (UK time)."
    )
    days = models.PositiveSmallIntegerField(
        help_text=f"Calendar days from receipt until ADR opens: {MIN_WAITING_PERIOD_DAYS} to "
                  f"{MAX_WAITING_PERIOD_DAYS} (8 weeks, the Code of Practice's period, is the longest).",
        validators=[
            MinValueValidator(MIN_WAITING_PERIOD_DAYS, f"A waiting period is at least {MIN_WAITING_PERIOD_DAYS} day."),
            MaxValueValidator(MAX_WAITING_PERIOD_DAYS, f"A waiting period is at most {MAX_WAITING_PERIOD_DAYS} days "
                                                       "(8 weeks, the Code of Practice's period): customers never "
                                                       "wait longer than that for ADR."),
        ],
    )
    note = models.CharField(max_length=200, blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name_plural = "waiting period policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days__gte=MIN_WAITING_PERIOD_DAYS, days__lte=MAX_WAITING_PERIOD_DAYS),
                name="ombudsman_policy_days_1_to_56",
            ),
        ]

    def __str__(self):
        return f"{self.days} days for complaints received from {self.effective_from:%d %B %Y}"

    @classmethod
    def days_for(cls, received_on: date) -> int:
        """Return the waiting period, in days, for a complaint received on that UK date."""
        # The policies, latest first, as this process keeps them (``Reference``).
        policy = next((policy for policy in Reference.current().policies if policy.effective_from <= received_on), None)
        return policy.days if policy else DEFAULT_WAITING_PERIOD_DAYS


class Reference:
    """The schemes and waiting-period policies as of one data version, kept by each process.

    Every page naming the provider's scheme and every complaint filed reads them, and they
    change a few times a year: a process reads them again only when the data version in the
    database has moved (one plain SQL read). The version is read first, so what is kept
    under a number is never older than the number's change.

    Every change through the models moves the version (the admin, services, the shell). One
    made around them (a data migration's historical models, ``loaddata``, SQL) does not:
    processes started afterwards read it, running ones once something else moves the
    version or they restart (docs/operations.md).
    """

    _kept = None

    def __init__(self, number):
        self.number = number
        self.schemes = {scheme.pk: scheme for scheme in Scheme.objects.all()}
        # As the database would answer: the first by the schemes' order (one at most, by constraint).
        self.provider_scheme = next((scheme for scheme in self.schemes.values()
                                     if scheme.is_active and scheme.is_provider_scheme), None)
        self.policies = list(WaitingPeriodPolicy.objects.order_by("-effective_from"))

    @classmethod
    def current(cls):
        number = DataVersion.current()
        kept = cls._kept
        if kept is None or kept.number != number:
            kept = cls._kept = cls(number)
        return kept

    @classmethod
    def forget(cls):
        """Drop what this process keeps: the next read goes to the database (tests, after a flush)."""
        cls._kept = None
