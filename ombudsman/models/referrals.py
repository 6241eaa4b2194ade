from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Decision(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"
    SETTLED = "settled", "Settled"


# The dates of a referral's steps, in the order they happen.
STEP_DATES = {
    "referred_on": "referral", "accepted_on": "scheme's acceptance", "decision_on": "decision",
    "customer_accepted_on": "customer's acceptance", "complied_on": "compliance",
    "customer_rejected_on": "customer's rejection",
}


class Referral(models.Model):
    """A complaint the customer took to the ADR scheme, and what became of it.

    Once the customer accepts the scheme's decision the provider must comply by
    ``compliance_due_on`` (from the scheme's deadline); the sweep reminds agents before it
    and flags it overdue after.
    """

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.PROTECT, related_name="referral")
    scheme = models.ForeignKey("ombudsman.Scheme", on_delete=models.PROTECT, related_name="referrals")
    case_reference = models.CharField("scheme's case reference", max_length=60, blank=True)
    referred_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_on = models.DateField("scheme accepted the case on", null=True, blank=True)

    decision = models.CharField(max_length=15, choices=Decision.choices, blank=True)
    decision_on = models.DateField("decision date", null=True, blank=True)
    remedy_apology = models.BooleanField("apology", default=False)
    remedy_explanation = models.BooleanField("explanation", default=False)
    remedy_action = models.TextField("practical action", blank=True)
    award_amount = models.DecimalField(
        "money award (GBP)", max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    customer_accepted_on = models.DateField("customer accepted the decision on", null=True, blank=True)
    # The customer is not bound by the decision: turning it down ends the case.
    customer_rejected_on = models.DateField("customer turned the decision down on", null=True, blank=True)

    compliance_due_on = models.DateField(null=True, blank=True)
    complied_on = models.DateField(null=True, blank=True)
    compliance_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    compliance_overdue_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sweep found the compliance deadline passed."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(award_amount__gte=0), name="referral_award_not_negative"),
        ]
        indexes = [
            models.Index(
                fields=["compliance_due_on"], name="referral_compliance_open",
                condition=models.Q(complied_on__isnull=True, compliance_due_on__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.complaint} at {self.scheme.short_name}"

    def clean(self):
        if self.award_amount and self.scheme_id and self.award_amount > self.scheme.award_limit:
            raise ValidationError(
                {"award_amount": f"The scheme can award at most £{self.scheme.award_limit:,.2f}."}
            )
        if bool(self.decision) != bool(self.decision_on):
            raise ValidationError({"decision_on": "Record the decision and its date together."})
        for answer in ("customer_accepted_on", "customer_rejected_on"):
            if getattr(self, answer) and not self.decision:
                raise ValidationError({answer: "Record the scheme's decision first."})
        if self.customer_accepted_on and self.customer_rejected_on:
            raise ValidationError(
                {"customer_rejected_on": "The customer accepted the decision: they cannot also turn it down."}
            )
        if self.complied_on and not self.customer_accepted_on:
            raise ValidationError({"complied_on": "There is no accepted decision to comply with yet."})
        known = [(name, getattr(self, name)) for name in STEP_DATES if getattr(self, name)]
        for (earlier, earlier_day), (later, later_day) in zip(known, known[1:], strict=False):
            if later_day < earlier_day:
                raise ValidationError(
                    {later: f"The {STEP_DATES[later]} date cannot be before the {STEP_DATES[earlier]} date."}
                )

    @property
    def stage(self):
        """Say in a few words where the case has got to."""
        if self.complied_on:
            return "Decision complied with"
        if self.customer_accepted_on:
            return "Decision accepted; we are complying"
        if self.customer_rejected_on:
            return "Decision turned down by the customer; the case is closed"
        if self.decision:
            return f"Decision: {self.get_decision_display().lower()}"
        if self.accepted_on:
            return "The scheme is looking at the case"
        return "Referred to the scheme"

    def is_compliance_overdue(self, today):
        return bool(self.compliance_due_on and not self.complied_on and today > self.compliance_due_on)
