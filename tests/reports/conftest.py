"""A known set of complaints across dates, products, channels, agents and outcomes.

The report period is Monday 2 March to Sunday 31 May 2026 and "now" is Monday 1 June 2026,
09:00 UK time. Good Friday (3 April) and Easter Monday (6 April) are bank holidays; the
clocks went forward on 29 March. Times are UK times; days count from the day received (0).

 #  received        product  channel agent  what happened                 day  band / notes
 1  Thu  2 Apr 10:00 meeting web     alex   resolved Thu  9 Apr 23:30      7  3rd business day
 2  Thu  2 Apr 11:00 meeting web     alex   resolved Fri 10 Apr 00:30      8  4th business day
 3  Mon  2 Mar 10:00 webinar phone   bea    resolved Sun 26 Apr 23:30     55  4-8 weeks, in time
 4  Mon  2 Mar 12:00 webinar phone   bea    resolved Mon 27 Apr 00:30     56  after 8 weeks
 5  Mon  2 Mar 14:00 billing email   -      resolved Tue 28 Apr 10:00     57  after 8 weeks
 6  Mon  9 Mar 10:00 meeting web     alex   resolved Sun  5 Apr 10:00     27  within 4 weeks
 7  Mon  9 Mar 11:00 meeting web     alex   resolved Mon  6 Apr 10:00     28  4-8 weeks
 8  Mon  9 Mar 12:00 billing phone   bea    resolved Thu 12 Mar 10:00      3  3 business days
 9  Mon 16 Mar 10:00 meeting web     -      withdrawn Wed 18 Mar 10:00     2  3 business days
10  Sun  1 Feb 10:00 webinar web     alex   resolved Tue  3 Mar 10:00     30  received before
11  Sun  1 Mar 10:00 billing phone   -      open                              age 92
12  Mon 23 Mar 10:00 meeting web     alex   resolved 25 Mar, reopened 30 Mar  age 70
13  Mon 25 May 10:00 webinar web     bea    resolved Mon 1 Jun 08:00          after the period
14  Tue 19 May 00:00 meeting web     alex   open                              age 13
15  Mon 18 May 23:59 meeting web     -      open                              age 14
16  Tue  7 Apr 10:00 webinar web     alex   open, ADR opens Tue 2 Jun         age 55
17  Mon 13 Apr 10:00 meeting phone   bea    open, ADR opens Mon 8 Jun         age 49
18  Tue 14 Apr 10:00 meeting web     alex   open, ADR opens Tue 9 Jun         age 48
19  Mon 20 Apr 10:00 billing web     -      open, ADR opens Mon 15 Jun        age 42
20  Tue 21 Apr 10:00 billing web     alex   open, ADR opens Tue 16 Jun        age 41
21  Mon  6 Apr 10:00 meeting web     bea    deadlock Wed 20 May, ADR opened 1 Jun, age 56
22  Mon  4 May 10:00 webinar web     -      open                              age 28
23  Tue  5 May 10:00 webinar web     -      open                              age 27

Complaints 3, 4, 5 and 8 are billing discrepancies; the others service faults.
"""

from datetime import date, datetime, time

import pytest
import time_machine

from accounts.roles import SUPPORT_AGENTS
from clock import UK
from complaints.models import Category, Channel, Complaint, Product, RootCause, Upheld
from complaints.models import Status as S
from complaints.services import change_status
from ombudsman.models import Decision, Delivery, Letter, LetterKind, LetterStatus, Referral, Scheme
from reports.periods import Period
from reports.queries import Scope
from tests.conftest import file_complaint, make_staff

PERIOD = Period(date(2026, 3, 2), date(2026, 5, 31))
# The period as the report's filter form takes it from the query string.
PERIOD_QUERY = {"date_from": PERIOD.first.isoformat(), "date_to": PERIOD.last.isoformat()}
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UK)

M, W, B = Product.GOTOMEETING, Product.GOTOWEBINAR, Product.BILLING_ACCOUNT


def uk(month, day, hour=10, minute=0):
    return datetime.combine(date(2026, month, day), time(hour, minute), tzinfo=UK)


def make_complaint(customer, received, product=M, *, channel=Channel.WEB, agent=None,
                   category=Category.SERVICE_FAULT, moves=()):
    """File a complaint received at ``received``, then move it through ``moves``, a list of
    (status, moment) pairs."""
    complaint = file_complaint(customer, received_at=received, product=product, channel=channel, category=category)
    if agent:
        Complaint.objects.filter(pk=complaint.pk).update(assigned_to=agent)
    for status, moment in moves:
        with time_machine.travel(moment, tick=False):
            change_status(complaint=complaint, to=status)
    return complaint


def outcome(complaint, **fields):
    Complaint.objects.filter(pk=complaint.pk).update(**fields)


@pytest.fixture
def alex(agent):
    return agent


@pytest.fixture
def bea(db):
    return make_staff("bea.agent@example.com", "Bea Agent", SUPPORT_AGENTS)


@pytest.fixture
def dataset(customer, alex, bea):
    billing = RootCause.objects.get(name="Billing error")
    outage = RootCause.objects.get(name="Service outage or fault")
    c = {}
    c[1] = make_complaint(customer, uk(4, 2), agent=alex, moves=[(S.RESOLVED, uk(4, 9, 23, 30))])
    outcome(c[1], upheld=Upheld.UPHELD, root_cause=outage, remedy_apology=True, credit_amount="10.00")
    c[2] = make_complaint(customer, uk(4, 2, 11), agent=alex, moves=[(S.RESOLVED, uk(4, 10, 0, 30))])
    outcome(c[2], upheld=Upheld.NOT_UPHELD, root_cause=outage, remedy_explanation=True)
    c[3] = make_complaint(customer, uk(3, 2), W, channel=Channel.PHONE, agent=bea,
                          category=Category.BILLING_DISCREPANCY, moves=[(S.RESOLVED, uk(4, 26, 23, 30))])
    outcome(c[3], upheld=Upheld.PARTLY, root_cause=billing, refund_amount="25.50")
    c[4] = make_complaint(customer, uk(3, 2, 12), W, channel=Channel.PHONE, agent=bea,
                          category=Category.BILLING_DISCREPANCY, moves=[(S.RESOLVED, uk(4, 27, 0, 30))])
    outcome(c[4], upheld=Upheld.UPHELD, root_cause=billing, credit_amount="5.00", refund_amount="5.00")
    c[5] = make_complaint(customer, uk(3, 2, 14), B, channel=Channel.EMAIL,
                          category=Category.BILLING_DISCREPANCY, moves=[(S.RESOLVED, uk(4, 28))])
    outcome(c[5], upheld=Upheld.NOT_UPHELD, root_cause=billing)
    c[6] = make_complaint(customer, uk(3, 9), agent=alex, moves=[(S.RESOLVED, uk(4, 5))])
    c[7] = make_complaint(customer, uk(3, 9, 11), agent=alex, moves=[(S.RESOLVED, uk(4, 6))])
    outcome(c[7], upheld=Upheld.UPHELD, root_cause=outage, remedy_apology=True, remedy_explanation=True)
    c[8] = make_complaint(customer, uk(3, 9, 12), B, channel=Channel.PHONE, agent=bea,
                          category=Category.BILLING_DISCREPANCY, moves=[(S.RESOLVED, uk(3, 12))])
    outcome(c[8], upheld=Upheld.UPHELD, root_cause=billing, refund_amount="100.00")
    c[9] = make_complaint(customer, uk(3, 16), moves=[(S.WITHDRAWN, uk(3, 18))])
    c[10] = make_complaint(customer, uk(2, 1), W, agent=alex, moves=[(S.RESOLVED, uk(3, 3))])
    outcome(c[10], upheld=Upheld.PARTLY, root_cause=outage)
    c[11] = make_complaint(customer, uk(3, 1), B, channel=Channel.PHONE, moves=[(S.INVESTIGATING, uk(3, 2))])
    c[12] = make_complaint(customer, uk(3, 23), agent=alex,
                           moves=[(S.RESOLVED, uk(3, 25)), (S.INVESTIGATING, uk(3, 30))])
    c[13] = make_complaint(customer, uk(5, 25), W, agent=bea, moves=[(S.RESOLVED, uk(6, 1, 8))])
    c[14] = make_complaint(customer, uk(5, 19, 0, 0), agent=alex)
    c[15] = make_complaint(customer, uk(5, 18, 23, 59))
    c[16] = make_complaint(customer, uk(4, 7), W, agent=alex, moves=[(S.ACKNOWLEDGED, uk(4, 8))])
    c[17] = make_complaint(customer, uk(4, 13), channel=Channel.PHONE, agent=bea)
    c[18] = make_complaint(customer, uk(4, 14), agent=alex)
    c[19] = make_complaint(customer, uk(4, 20), B)
    c[20] = make_complaint(customer, uk(4, 21), B, agent=alex)
    c[21] = make_complaint(customer, uk(4, 6), agent=bea, moves=[(S.DEADLOCK, uk(5, 20))])
    c[22] = make_complaint(customer, uk(5, 4), W)
    c[23] = make_complaint(customer, uk(5, 5), W)
    return c


@pytest.fixture
def scope(dataset):
    return Scope(period=PERIOD)


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


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client
