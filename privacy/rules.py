"""Which records the retention job may anonymise, and when. The job and the services both ask here."""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, OuterRef, Q

from clock import uk_today
from complaints.models import CLOSED_STATUSES, Complaint
from ombudsman.models import Letter, Referral
from privacy.models import AccountClosure, CustomerErasure, Erasure, SarStatus, SubjectAccessRequest

# A referral is over once we have complied with the decision the customer accepted, the
# customer accepted a decision that asks nothing of us, or the customer turned the decision
# down. Anything else is an open case: the scheme has not decided, or the customer may still
# accept its decision, or we still owe them.
REFERRAL_OVER = (
    Q(complied_on__isnull=False)
    | Q(customer_accepted_on__isnull=False, compliance_due_on__isnull=True)
    | Q(customer_rejected_on__isnull=False)
)


def retention_cutoff(now):
    """Return the moment before which a closed complaint has been kept long enough."""
    return now - relativedelta(years=settings.RETENTION_YEARS)


def open_adr_windows(today):
    """Return the letters whose window to refer is still open on a UK date (``refer_by`` is its last day)."""
    return Letter.objects.filter(refer_by__gte=today)


def open_referrals():
    return Referral.objects.exclude(REFERRAL_OVER)


def expired_complaints(now):
    """Return the complaints to anonymise as of ``now``.

    Closed (resolved, withdrawn or merged) longer than the retention period, not anonymised
    yet, no ADR window still open (each letter's ``refer_by``, fixed from the scheme's referral
    window when the letter was written) and no ombudsman case still open.
    """
    today = uk_today(now)
    return (
        Complaint.objects.filter(status__in=CLOSED_STATUSES, closed_at__lt=retention_cutoff(now))
        .filter(~Exists(Erasure.objects.filter(complaint=OuterRef("pk"))))
        .filter(~Exists(open_adr_windows(today).filter(complaint=OuterRef("pk"))))
        # A merged duplicate is part of its survivor's record: it goes only after the survivor,
        # and its letters' ADR windows keep the survivor too.
        .filter(Q(merged_into__isnull=True) | Exists(Erasure.objects.filter(complaint=OuterRef("merged_into"))))
        .filter(~Exists(open_adr_windows(today).filter(complaint__merged_into=OuterRef("pk"))))
        .filter(~Exists(open_referrals().filter(complaint=OuterRef("pk"))))
        .order_by("closed_at", "pk")
    )


def customers_to_erase():
    """Return the customers whose own details may go.

    Every complaint of theirs is anonymised, no subject access request of theirs is open,
    and they closed their account, or never had a login (phone and letter customers, on
    record only for their complaints).
    """
    complaints = Complaint.objects.filter(customer=OuterRef("pk"))
    closed = Exists(AccountClosure.objects.filter(customer=OuterRef("pk")))
    no_login = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX) & Exists(complaints)
    return (
        get_user_model().objects.filter(is_staff=False, is_superuser=False)
        .filter(closed | no_login)
        .filter(~Exists(complaints.filter(erasure__isnull=True)))
        .filter(~Exists(CustomerErasure.objects.filter(customer=OuterRef("pk"))))
        .filter(~Exists(SubjectAccessRequest.objects.filter(customer=OuterRef("pk"), status=SarStatus.OPEN)))
        .order_by("pk")
    )
