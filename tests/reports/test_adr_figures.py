"""The ADR figures: letters sent and failed, referrals, decisions upheld and compliance.

Letters and referrals are recorded as rows in the states the clock leaves them in, on the
known complaints of conftest.py (period 2 March to 31 May 2026, now 1 June 2026).
"""

from datetime import date

import pytest

from complaints.models import Product
from ombudsman.models import Decision, Delivery, Letter, LetterKind, LetterStatus, Referral, Scheme
from reports.adr import adr_figures
from reports.queries import Scope
from tests.reports.conftest import NOW, PERIOD, uk


def letter(complaint, kind, status, *, created, sent=None, error=""):
    return Letter.objects.create(
        complaint=complaint, kind=kind, status=status, created_at=created, sent_at=sent, last_error=error,
        letter_date=created.date(), refer_by=date(2027, created.month, created.day),
        scheme=Scheme.objects.provider_scheme(), scheme_details={}, text="Letter", html="<p>Letter</p>",
        delivery=Delivery.POST if status in (LetterStatus.PRINT_QUEUED, LetterStatus.POSTED) else Delivery.EMAIL,
    )


def referral(complaint, actor, referred_on, **steps):
    return Referral.objects.create(
        complaint=complaint, scheme=Scheme.objects.provider_scheme(), referred_on=referred_on,
        recorded_by=actor, **steps,
    )


@pytest.fixture
def adr_dataset(dataset, manager):
    c = dataset
    letter(c[11], LetterKind.ADR, LetterStatus.SENT, created=uk(4, 26, 0, 5), sent=uk(4, 26, 9))
    # Posted the day after the period ended.
    letter(c[12], LetterKind.ADR, LetterStatus.POSTED, created=uk(5, 18, 0, 5), sent=uk(6, 1, 8))
    letter(c[4], LetterKind.ADR, LetterStatus.SENT, created=uk(4, 27, 0, 5), sent=uk(4, 27, 0, 10))
    # Its email failed for good, so it waits in the print queue.
    letter(c[5], LetterKind.ADR, LetterStatus.PRINT_QUEUED, created=uk(4, 27, 0, 5),
           error="SMTPRecipientsRefused: mailbox unavailable")
    letter(c[21], LetterKind.DEADLOCK, LetterStatus.SENT, created=uk(5, 20), sent=uk(5, 20, 10, 5))

    referral(c[11], manager, date(2026, 5, 5), decision=Decision.SETTLED, decision_on=date(2026, 6, 1))
    referral(c[4], manager, date(2026, 4, 28), decision=Decision.PARTLY_UPHELD, decision_on=date(2026, 5, 1),
             customer_accepted_on=date(2026, 5, 2), compliance_due_on=date(2026, 5, 30),
             complied_on=date(2026, 5, 29))
    referral(c[5], manager, date(2026, 4, 28), decision=Decision.NOT_UPHELD, decision_on=date(2026, 5, 20))
    referral(c[21], manager, date(2026, 5, 21))
    referral(c[12], manager, date(2026, 5, 19), decision=Decision.UPHELD, decision_on=date(2026, 5, 21),
             customer_accepted_on=date(2026, 5, 22), compliance_due_on=date(2026, 5, 30))
    return c


def test_adr_figures(adr_dataset):
    assert adr_figures(Scope(period=PERIOD), now=NOW) == {
        "adr_letters": 2,
        "failed_letters": 1,
        "referrals": 5,
        "decisions": 3,
        "decisions_upheld": 2,
        "compliance_due": 2,
        "compliance_overdue": 1,
    }


def test_adr_figures_follow_the_complaint_filters(adr_dataset, bea):
    assert adr_figures(Scope(period=PERIOD, product=Product.GOTOWEBINAR), now=NOW) == {
        "adr_letters": 1, "failed_letters": 0, "referrals": 1, "decisions": 1, "decisions_upheld": 1,
        "compliance_due": 1, "compliance_overdue": 0,
    }
    assert adr_figures(Scope(period=PERIOD, agent=bea), now=NOW)["referrals"] == 2


def test_compliance_is_overdue_only_after_its_due_date(adr_dataset):
    assert adr_figures(Scope(period=PERIOD), now=uk(5, 30, 23, 59))["compliance_overdue"] == 0
    assert adr_figures(Scope(period=PERIOD), now=uk(5, 31, 0, 1))["compliance_overdue"] == 1
