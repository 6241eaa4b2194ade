from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

import clock
from clock import CLOSED_STATUSES, Status, UKDate
from complaints.tracking import generate_tracking_number

# The Code asks customers to report billing discrepancies within 30 days of the statement.
# Later reports are flagged for agents, never refused.
BILLING_REPORT_DAYS = 30


class Product(models.TextChoices):
    GOTOMEETING = "gotomeeting", "GoToMeeting"
    GOTOASSIST = "gotoassist", "GoToAssist"
    GOTOMYPC = "gotomypc", "GoToMyPC"
    GOTOTRAINING = "gototraining", "GoToTraining"
    GOTOWEBINAR = "gotowebinar", "GoToWebinar"
    BILLING_ACCOUNT = "billing_account", "Billing or my account"
    OTHER = "other", "Something else"


class Category(models.TextChoices):
    BILLING_DISCREPANCY = "billing_discrepancy", "Billing discrepancy"
    SERVICE_FAULT = "service_fault", "Service fault"
    CANCELLATION = "cancellation", "Cancellation"
    REFUND = "refund", "Refund"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    PRIVACY = "privacy", "Privacy or personal data"
    OTHER = "other", "Other"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class Upheld(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY = "partly", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"


# The columns managers' reports filter complaints by (reports.queries.Scope).
REPORT_FILTERS = ["product", "category", "channel", "assigned_to"]
# The columns the desk's queue orders and filters open complaints by, beside the deadline.
QUEUE_COLUMNS = ["received_at", "status", "adr_rights", "customer_told_at", "awaiting_reply_since"]
_WORKING = (Status.INVESTIGATING, Status.AWAITING_CUSTOMER, Status.RESOLUTION_PROPOSED,
            Status.DEADLOCK, Status.RESOLVED, Status.WITHDRAWN)

# The moves a complaint's status may make. Reopening (from resolved or withdrawn) returns
# it to investigating and never restarts its clock. Only complaints.services.merge_complaints
# makes a complaint merged, and nothing moves it on: it lives on in its survivor.
ALLOWED_TRANSITIONS = {
    Status.RECEIVED: (Status.ACKNOWLEDGED, *_WORKING),
    Status.ACKNOWLEDGED: _WORKING,
    Status.INVESTIGATING: tuple(s for s in _WORKING if s != Status.INVESTIGATING),
    Status.AWAITING_CUSTOMER: tuple(s for s in _WORKING if s != Status.AWAITING_CUSTOMER),
    Status.RESOLUTION_PROPOSED: tuple(s for s in _WORKING if s != Status.RESOLUTION_PROPOSED),
    Status.DEADLOCK: (Status.RESOLVED, Status.WITHDRAWN),
    Status.RESOLVED: (Status.INVESTIGATING,),
    Status.WITHDRAWN: (Status.INVESTIGATING,),
    Status.MERGED: (),
}


class RootCause(models.Model):
    """A root cause from the list managers keep, recorded when a complaint is resolved."""

    name = models.CharField(max_length=120, unique=True)
    is_active = models.BooleanField(default=True)
    no_fault = models.BooleanField(
        "means we found no fault", default=False,
        help_text="A complaint with this root cause cannot be upheld, fully or partly: that would say we were "
                  "at fault and were not. Money given on a complaint not upheld counts as goodwill.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ComplaintQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def visible_to(self, user, *, second_factor_passed=False):
        """Return the complaints a user may see: customers their own; staff all of them, but
        only once their session has passed the second factor.

        This is the one place that decides who may see a complaint.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self if second_factor_passed else self.none()
        return self.filter(customer=user)


class Complaint(models.Model):
    tracking_number = models.CharField(max_length=13, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints"
    )
    product = models.CharField(max_length=20, choices=Product.choices)
    category = models.CharField(max_length=30, choices=Category.choices)
    channel = models.CharField("how it arrived", max_length=10, choices=Channel.choices, default=Channel.WEB)
    received_at = models.DateTimeField(
        help_text="The customer's first expression of dissatisfaction, whatever the channel."
    )
    description = models.TextField()
    desired_outcome = models.TextField("outcome the customer wants")
    statement_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_complaints", limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The UK calendar dates of receipt and closing, kept by the database itself, so the
    # managers' reports count days without converting every moment to UK time each time.
    # Read them from the database: an instance's values are stale until it is reloaded.
    received_uk_date = models.GeneratedField(
        expression=UKDate("received_at"), output_field=models.DateField(), db_persist=True
    )
    closed_uk_date = models.GeneratedField(
        expression=UKDate("closed_at"), output_field=models.DateField(null=True), db_persist=True
    )

    # The clock, fixed when the complaint is received (see fix_clock): it never pauses and
    # reopening never restarts it.
    adr_rights = models.BooleanField(
        default=True, help_text="Whether the customer had ADR rights when the complaint was received."
    )
    waiting_period_days = models.PositiveSmallIntegerField()
    adr_opens_at = models.DateTimeField()
    deadlock_at = models.DateTimeField(null=True, blank=True)
    # True until the end-of-waiting-period letter is dealt with (sent, or not owed because
    # the customer has no ADR rights or already had a deadlock letter).
    adr_letter_pending = models.BooleanField(default=True)
    deadline_warning_sent_at = models.DateTimeField(null=True, blank=True)
    deadlock_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When the customer asked for a deadlock letter."
    )
    # Kept by the services that write letters and record referrals, so that the clock's
    # states and the customer's right read as conditions on the complaint (clock module).
    customer_told_at = models.DateTimeField(
        null=True, blank=True, help_text="When the first ADR or deadlock letter was written for the complaint."
    )
    refer_by = models.DateField(
        null=True, blank=True, help_text="The last day to refer to ADR: 12 months from the latest letter."
    )
    adr_case_ended_on = models.DateField(
        null=True, blank=True,
        help_text="When an ADR case on the complaint finished (the customer answered the decision).",
    )
    # Kept by the services, for the desk's queue: the customer's latest action (a reply, an
    # upload, an answer to a proposal, a request for a deadlock letter), and since when they
    # have waited for an answer from us (cleared when an agent answers them).
    customer_acted_at = models.DateTimeField(null=True, blank=True, editable=False)
    awaiting_reply_since = models.DateTimeField(null=True, blank=True, editable=False)
    # A duplicate points to the complaint it was merged into (its survivor), which shows both
    # timelines; its own tracking number still leads there (complaints.services.merging).
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="merged",
        help_text="The complaint this duplicate was merged into.",
    )

    # The outcome, recorded when the complaint is resolved.
    resolution_summary = models.TextField(blank=True)
    upheld = models.CharField(max_length=12, choices=Upheld.choices, blank=True)
    root_cause = models.ForeignKey(RootCause, on_delete=models.PROTECT, null=True, blank=True)
    remedy_apology = models.BooleanField(default=False)
    remedy_explanation = models.BooleanField(default=False)
    credit_amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    refund_amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        permissions = [("reassign_complaint", "Can reassign a complaint another agent holds")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_amount__gte=0, refund_amount__gte=0), name="complaint_redress_not_negative"
            ),
            # The reports count a complaint as open exactly when it has no closing moment.
            models.CheckConstraint(
                condition=models.Q(status__in=CLOSED_STATUSES, closed_at__isnull=False)
                | (~models.Q(status__in=CLOSED_STATUSES) & models.Q(closed_at__isnull=True)),
                name="complaint_closed_at_when_closed",
            ),
            # A merged complaint always says which complaint it lives on in, and only it does.
            models.CheckConstraint(
                condition=models.Q(status=Status.MERGED, merged_into__isnull=False)
                | (~models.Q(status=Status.MERGED) & models.Q(merged_into__isnull=True)),
                name="complaint_merged_into_when_merged",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-received_at"], name="complaint_customer_recent"),
            models.Index(fields=["status", "adr_opens_at"], name="complaint_status_deadline"),
            # The managers' reports select complaints by when they were received, closed or
            # deadlocked, or by being open. On PostgreSQL these indexes carry every column
            # the reports filter and count on, so a narrow period or filter is answered by an
            # index-only scan that never reads the wide complaint rows (SQLite ignores INCLUDE).
            models.Index(fields=["received_at"], name="complaint_received_at",
                         include=[*REPORT_FILTERS, "status", "closed_at", "received_uk_date"]),
            models.Index(fields=["closed_at"], name="complaint_closed_at", condition=models.Q(closed_at__isnull=False),
                         include=[*REPORT_FILTERS, "status", "received_at", "adr_opens_at", "upheld", "root_cause",
                                  "remedy_apology", "remedy_explanation", "credit_amount", "refund_amount",
                                  "received_uk_date", "closed_uk_date"]),
            models.Index(fields=["deadlock_at"], name="complaint_deadlock_at",
                         condition=models.Q(deadlock_at__isnull=False), include=[*REPORT_FILTERS, "status"]),
            # The desk's queue and the reports' open complaints (age bands, breach forecast): the
            # open complaints by deadline, and an agent's own. They carry every column the queue
            # orders and filters by (desk.queue.urgency, view_q), so a page of any view is found
            # in the index alone and only its 50 rows are read (desk.changelist.QueuePaginator).
            models.Index(fields=["adr_opens_at", "id"], name="complaint_open_deadline",
                         condition=~models.Q(status__in=CLOSED_STATUSES), include=[*REPORT_FILTERS, *QUEUE_COLUMNS]),
            models.Index(fields=["adr_opens_at", "id"], name="complaint_deadline"),
            # The desk's "customer told" view: open complaints whose ADR or deadlock letter is written.
            models.Index(fields=["adr_opens_at", "id"], name="complaint_told_open",
                         condition=models.Q(customer_told_at__isnull=False) & ~models.Q(status__in=CLOSED_STATUSES)),
            models.Index(fields=["assigned_to", "adr_opens_at"], name="complaint_agent_deadline",
                         condition=~models.Q(status__in=CLOSED_STATUSES), include=["id", *QUEUE_COLUMNS]),
            # The desk's "customer replied" view: the few open complaints waiting for our answer.
            models.Index(fields=["adr_opens_at", "id"], name="complaint_awaiting_reply",
                         condition=models.Q(awaiting_reply_since__isnull=False)
                         & ~models.Q(status__in=CLOSED_STATUSES)),
            # The admin's banner counts the running complaints whose staff were warned; the
            # included columns say "running" (clock.state_q), so the index alone answers.
            models.Index(fields=["adr_opens_at"], name="complaint_warned_deadline",
                         condition=models.Q(deadline_warning_sent_at__isnull=False)
                         & ~models.Q(status__in=CLOSED_STATUSES), include=["adr_rights", "customer_told_at"]),
            # The sweep reads only open complaints whose ADR letter is still owed.
            models.Index(
                fields=["adr_opens_at"], name="complaint_adr_letter_due",
                condition=models.Q(adr_letter_pending=True) & ~models.Q(status__in=CLOSED_STATUSES),
            ),
            models.Index(
                fields=["adr_opens_at"], name="complaint_warning_due",
                condition=models.Q(deadline_warning_sent_at__isnull=True) & ~models.Q(status__in=CLOSED_STATUSES),
            ),
        ]

    def __str__(self):
        return self.tracking_number

    def save(self, *args, **kwargs):
        if self.tracking_number or not self._state.adding:
            return super().save(*args, **kwargs)
        # Collisions are astronomically rare; retry inside a savepoint so the caller's
        # transaction survives one.
        for attempt in range(5):
            self.tracking_number = generate_tracking_number()
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                self.tracking_number = ""
                if attempt == 4:
                    raise

    def get_absolute_url(self):
        return reverse("complaints:detail", args=[self.tracking_number])

    def timeline_ids(self):
        """Return, as a subquery, the ids of this complaint and of the complaints merged into it.

        A complaint's pages show the events, attachments and letters of all of them, by time.
        """
        return Complaint.objects.filter(models.Q(pk=self.pk) | models.Q(merged_into=self.pk)).values("pk")

    # --- the clock (the rules are the clock module's) ------------------------------------

    def fix_clock(self, *, waiting_period_days, adr_rights):
        """Fix the waiting period, ADR rights and the moment ADR opens, from receipt."""
        self.waiting_period_days = waiting_period_days
        self.adr_rights = adr_rights
        self.adr_opens_at = clock.adr_opens_at(self.received_at, waiting_period_days)
        if not adr_rights:
            self.adr_letter_pending = False

    @property
    def received_on(self):
        """The UK calendar date the complaint was received."""
        return clock.uk_date(self.received_at)

    @property
    def adr_deadline_date(self):
        """The UK date ADR opens (the first day the customer may refer)."""
        return clock.uk_date(self.adr_opens_at)

    @property
    def is_closed(self):
        return self.status in CLOSED_STATUSES

    @property
    def waiting_period_words(self):
        """The complaint's own waiting period, as letters and messages say it ("8 weeks")."""
        return clock.period_in_words(self.waiting_period_days)

    def day_number(self, now=None):
        """Return which day of the waiting period it is (the day of receipt is day 0)."""
        return clock.days_since_receipt(self.received_at, now)

    def days_left(self, now=None):
        """Return the days until ADR opens (0 on the day, negative after)."""
        return clock.days_left(self, now)

    def is_past_waiting_period(self, now=None):
        return (now or timezone.now()) >= self.adr_opens_at

    def is_adr_eligible(self, now=None):
        """Say whether the customer may take the complaint to the ombudsman now."""
        return clock.may_refer(self, now)

    def clock_state(self, now=None):
        """Return the state of the complaint's clock as staff read it (a ``clock.ClockState``)."""
        return clock.state(self, now)

    # --- other rules -----------------------------------------------------------------

    @property
    def billing_reported_late(self):
        """Flag a billing complaint made more than 30 days after its statement."""
        if not self.statement_date:
            return False
        return (self.received_on - self.statement_date).days > BILLING_REPORT_DAYS

    @property
    def money_given(self):
        return self.credit_amount + self.refund_amount

    @property
    def is_goodwill(self):
        """Say whether the money given is goodwill: given on a complaint we did not uphold."""
        return self.upheld == Upheld.NOT_UPHELD and self.money_given > 0

    @property
    def redress_paid(self):
        """The credits and refunds that put right a complaint upheld, fully or partly (goodwill apart)."""
        return Decimal("0.00") if self.upheld == Upheld.NOT_UPHELD else self.money_given

    @property
    def goodwill_paid(self):
        """The credits and refunds given on a complaint not upheld."""
        return self.money_given if self.upheld == Upheld.NOT_UPHELD else Decimal("0.00")

    def can_move_to(self, status):
        return status in ALLOWED_TRANSITIONS.get(self.status, ())
