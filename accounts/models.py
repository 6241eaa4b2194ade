import unicodedata
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from accounts import totp

# Ofcom's rules give ADR rights to domestic customers and to businesses with this many
# workers or fewer.
ADR_MAX_BUSINESS_WORKERS = 10


class CustomerType(models.TextChoices):
    DOMESTIC = "domestic", "Domestic (personal or household)"
    BUSINESS = "business", "Business"


class PreferredContact(models.TextChoices):
    EMAIL = "email", "Email"
    POST = "post", "Post"


class PreferredFormat(models.TextChoices):
    STANDARD = "standard", "Standard"
    LARGE_PRINT = "large_print", "Large print"
    OTHER = "other", "Another format (tell us in your accessibility needs)"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        email = self.normalize_email(email) or None
        user = self.model(email=email, **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def normalize_email(self, email):
        # NFKC as Django's username field reads what is typed at log in ("ſ" is "s").
        return unicodedata.normalize("NFKC", email or "").strip().lower()

    def get_by_natural_key(self, username):
        # Exactly the stored (lower-case) address: a case-insensitive match in the database
        # would let "admın" (dotless i) or "ſ" (long s) reach "admin" on PostgreSQL, while the
        # rate limits count each spelling apart.
        return self.get(email=self.normalize_email(username))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who uses the portal: a customer, or staff (agents and managers).

    A customer who phoned or wrote in may exist without a password (and without an email);
    signing up later with the same email claims the record.
    """

    email = models.EmailField("email address", unique=True, null=True, blank=True)
    full_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField("postal address", blank=True)
    postcode = models.CharField(max_length=12, blank=True)

    customer_type = models.CharField(
        max_length=20, choices=CustomerType.choices, default=CustomerType.DOMESTIC
    )
    business_name = models.CharField(max_length=200, blank=True)
    business_workers = models.PositiveIntegerField(
        "number of workers", null=True, blank=True,
        help_text="Including owners, employees and volunteers.",
    )
    preferred_contact = models.CharField(
        max_length=10, choices=PreferredContact.choices, default=PreferredContact.EMAIL
    )

    # Special category data: stored only while the customer's consent is on record.
    support_consent_at = models.DateTimeField(null=True, blank=True)
    accessibility_needs = models.TextField(blank=True)
    vulnerable = models.BooleanField(default=False)
    vulnerability_notes = models.TextField(blank=True)
    preferred_format = models.CharField(
        max_length=20, choices=PreferredFormat.choices, default=PreferredFormat.STANDARD
    )

    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # A sign-up waits for its owner to follow the emailed link (accounts.services.confirm_sign_up)
    # with is_active False as well: Django's own log in, sessions and password reset already
    # refuse an inactive user, and the log-in form then says for a right password exactly what it
    # says for a wrong one. This flag tells such a sign-up apart from a closed account (inactive
    # too), so that only a sign-up can be confirmed, replaced by a new sign-up or purged. Only the
    # sign-up view sets it: create_user (fixtures, seed_demo, the desk) makes accounts that can log in.
    awaiting_confirmation = models.BooleanField(
        "awaiting email confirmation", default=False, editable=False,
        help_text="Signed up, but has not yet followed the link emailed to confirm the address.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(customer_type="business") | models.Q(business_workers__isnull=False),
                name="accounts_user_business_has_workers",
            ),
        ]
        # Staff are a handful among hundreds of thousands of customers: the reports' agent
        # filter, the access log's staff filter and the digest find them without a scan.
        indexes = [
            models.Index(fields=["full_name", "id"], condition=models.Q(is_staff=True), name="user_staff"),
            # The few sign-ups awaiting confirmation, found by age to purge the stale ones.
            models.Index(fields=["date_joined"], condition=models.Q(awaiting_confirmation=True),
                         name="user_awaiting_confirmation"),
        ]

    def __str__(self):
        if self.email:
            return f"{self.full_name} <{self.email}>"
        return self.full_name or f"Customer #{self.pk}"

    def save(self, *args, **kwargs):
        self.email = User.objects.normalize_email(self.email) or None
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else ""

    @property
    def has_adr_rights(self):
        """Say whether Ofcom's rules give this customer the right to go to ADR."""
        if self.customer_type == CustomerType.DOMESTIC:
            return True
        return self.business_workers is not None and self.business_workers <= ADR_MAX_BUSINESS_WORKERS

    @property
    def is_claimed(self):
        """Say whether the customer can log in (staff-created records cannot until claimed, nor
        sign-ups until their address is confirmed)."""
        return self.has_usable_password() and not self.awaiting_confirmation

    @property
    def gets_email(self):
        """Say whether what we send this customer goes by email (they have an address and prefer it)."""
        return bool(self.email) and self.preferred_contact == PreferredContact.EMAIL

    @property
    def postal_address(self):
        """Return the address a letter to the customer is sent to, postcode last."""
        return f"{self.address}\n{self.postcode}".strip()

    @property
    def has_support_consent(self):
        return self.support_consent_at is not None

    @property
    def wants_large_print(self):
        return self.has_support_consent and self.preferred_format == PreferredFormat.LARGE_PRINT

    def withdraw_support_consent(self):
        """Erase the support details along with the consent that allowed keeping them."""
        self.support_consent_at = None
        self.accessibility_needs = ""
        self.vulnerable = False
        self.vulnerability_notes = ""
        self.preferred_format = PreferredFormat.STANDARD


class Authenticator(models.Model):
    """A staff member's authenticator app (TOTP), the second factor every staff page asks for.

    The secret is shown once, on the set-up page, until the first code confirms it; nothing
    shows or logs it after that. A confirmed authenticator is replaced only by a superuser
    resetting it (a lost phone), never by its owner, so a stolen password cannot swap it.
    """

    # Five wrong codes in a row stop codes being checked for a while: three codes are valid
    # at once (the drift window), so guessing would otherwise succeed in a few hundred
    # thousand tries.
    MAX_FAILED_CODES = 5
    LOCKOUT = timedelta(minutes=15)

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="authenticator")
    secret = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The time step of the last code accepted: that code, and earlier ones, never work again.
    last_used_step = models.BigIntegerField(null=True, blank=True)
    failed_codes = models.PositiveIntegerField(default=0)
    last_failed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Authenticator #{self.pk}"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    def locked_until(self, now=None):
        """Return when codes are checked again after too many wrong ones, or None if they are now."""
        now = now or timezone.now()
        if self.failed_codes < self.MAX_FAILED_CODES or self.last_failed_at is None:
            return None
        until = self.last_failed_at + self.LOCKOUT
        return until if until > now else None

    def accept(self, code, now=None):
        """Say whether ``code`` is a fresh valid code, using it up if so.

        The step is claimed with a conditional UPDATE, so two requests racing with the same
        code cannot both succeed. While locked out, no code is accepted: the UPDATE checks the
        lockout again, since requests in flight together all read the row before it began.
        """
        now = now or timezone.now()
        if self.locked_until(now):
            return False
        step = totp.matching_step(self.secret, code, now=now)
        if step is not None:
            # A step at or before the last one used never counts: a seen code cannot be replayed.
            fresh = models.Q(last_used_step__isnull=True) | models.Q(last_used_step__lt=step)
            if self.unlocked(now).filter(fresh).update(last_used_step=step, failed_codes=0, last_failed_at=None):
                self.last_used_step, self.failed_codes, self.last_failed_at = step, 0, None
                return True
        self.count_failure(now)
        return False

    def unlocked(self, now):
        """Return this authenticator as a queryset, empty if the database says it is locked out now."""
        return Authenticator.objects.filter(
            models.Q(failed_codes__lt=self.MAX_FAILED_CODES) | models.Q(last_failed_at__isnull=True)
            | models.Q(last_failed_at__lte=now - self.LOCKOUT),
            pk=self.pk,
        )

    def count_failure(self, now):
        """Count a wrong code towards the lockout."""
        # Counted in the database so concurrent wrong guesses all count. The count only goes
        # back to zero with a right code: after a lockout, each wrong code locks again.
        Authenticator.objects.filter(pk=self.pk).update(failed_codes=models.F("failed_codes") + 1, last_failed_at=now)
        self.refresh_from_db(fields=["failed_codes", "last_failed_at", "last_used_step"])


class RecoveryCode(models.Model):
    """One of a staff member's single-use recovery codes, for when their phone is not to hand.

    Only a hash of the code is kept (accounts/recovery_codes.py says which and why): the codes
    are shown once, when made, and never again. ``used_at`` is set by a conditional UPDATE, and
    ``code_hash`` is unique, so there is one row a code can use up, once.
    """

    authenticator = models.ForeignKey(Authenticator, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Recovery code #{self.pk}"
