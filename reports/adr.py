"""The ADR figures: letters sent and failed, ombudsman referrals and decisions, compliance."""

from django.db.models import Count, Q

from clock import uk_today
from ombudsman.models import Decision, Letter, LetterKind, Referral

UPHELD_DECISIONS = (Decision.UPHELD, Decision.PARTLY_UPHELD)


def _of_complaints(scope):
    """The report's filters, applied to the complaints letters and referrals belong to."""
    return {f"complaint__{key}": value for key, value in scope.lookups().items()}


def adr_figures(scope, now=None):
    """Return the period's ADR figures.

    A letter failed when its email could not be delivered: it is still being retried, or it
    failed for good and went to the print queue instead. An ombudsman decision settled
    between the parties counts as not upheld. Compliance is overdue when an accepted
    decision's deadline has passed, today, without the provider complying.
    """
    first, last = scope.period.first, scope.period.last
    letters = Letter.objects.filter(**_of_complaints(scope)).aggregate(
        adr_letters=Count("pk", filter=Q(kind=LetterKind.ADR) & scope.within("sent_at")),
        failed_letters=Count("pk", filter=~Q(last_error="") & scope.within("created_at")),
    )
    referrals = Referral.objects.filter(**_of_complaints(scope)).aggregate(
        referrals=Count("pk", filter=Q(referred_on__range=(first, last))),
        decisions=Count("pk", filter=Q(decision_on__range=(first, last))),
        decisions_upheld=Count("pk", filter=Q(decision_on__range=(first, last), decision__in=UPHELD_DECISIONS)),
        compliance_due=Count("pk", filter=Q(compliance_due_on__range=(first, last))),
        compliance_overdue=Count(
            "pk", filter=Q(complied_on__isnull=True, compliance_due_on__lt=uk_today(now))
        ),
    )
    return {**letters, **referrals}
