"""The ADR figures: letters sent and failed, referrals, decisions upheld and compliance.

Letters and referrals are recorded as rows in the states the clock leaves them in, on the
known complaints of conftest.py (period 2 March to 31 May 2026, now 1 June 2026).
"""

from complaints.models import Product
from reports.adr import adr_figures
from reports.queries import Scope
from tests.reports.conftest import NOW, PERIOD, uk


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
