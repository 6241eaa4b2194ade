"""Every figure of the report, for the known complaints in conftest.py, asserted exactly."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from complaints.models import Category, Channel, Product, Status
from ombudsman import services as adr_services
from reports import queries
from reports.figures import Figures
from reports.period_return import period_return
from reports.periods import Period
from reports.queries import Scope
from tests.reports.conftest import NOW, PERIOD, B, M, W, make_complaint, uk

D = Decimal


def test_headline_figures(scope):
    assert Figures(scope).headline() == {
        "open": 12,
        "received": 21,
        "resolved": 9,
        "withdrawn": 1,
        # Resolved on day 55 is in time; on day 56 and 57 it is not.
        "resolved_in_time": 7,
        "resolved_in_time_share": 77.8,
        "deadlocks": 1,
        # Days to resolution, sorted: 3, 7, 8, 27, 28, 30, 55, 56, 57.
        "median_days": 28.0,
        "p90_days": 56.2,
    }


def test_percentiles_interpolate_between_values(customer, dataset):
    """With an even count the median falls between the two middle values."""
    scope = Scope(period=PERIOD, product=Product.GOTOMEETING)
    figures = Figures(scope).headline()
    # Complaints 1, 2, 6 and 7 took 7, 8, 27 and 28 days.
    assert (figures["resolved"], figures["median_days"], figures["p90_days"]) == (4, 17.5, 27.7)


def test_no_complaints_give_no_shares_or_percentiles(db):
    figures = Figures(Scope(period=PERIOD)).headline()
    assert figures["resolved"] == 0
    assert figures["resolved_in_time_share"] is None
    assert (figures["median_days"], figures["p90_days"]) == (None, None)


def test_open_complaints_by_age_band_and_product(scope):
    rows = dict(Figures(scope, NOW).age_bands())
    assert list(rows) == list(Product)
    # 0-2, 2-4, 4-6, 6-8, over 8 weeks: ages 13 | 14, 27 | 28, 41 | 42, 55 | 56 fall either side.
    assert rows[M] == [1, 1, 0, 2, 2]
    assert rows[W] == [0, 1, 1, 1, 0]
    assert rows[B] == [0, 0, 1, 1, 1]
    assert all(rows[product] == [0] * 5 for product in Product if product not in (M, W, B))


def test_reaching_adr_counts_deadlines_in_the_next_7_and_14_days_by_agent(scope):
    rows = queries.reaching_adr(scope, now=NOW)
    assert [(row.agent_name, row.counts) for row in rows] == [
        ("Alex Agent", (1, 2)),  # ADR opens tomorrow (16) and in 8 days (18); not 15 days (20)
        ("Bea Agent", (1, 1)),  # in 7 days (17); not today (21), which has passed
        ("Unassigned", (0, 1)),  # in 14 days (19)
    ]


def test_a_deadlocked_complaint_is_reaching_nothing(scope, dataset, bea):
    # Complaint 17 reaches ADR in 7 days; deadlock tells its customer, who may go to ADR now.
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        adr_services.declare_deadlock(complaint=dataset[17], actor=bea, reason="Our final position.")
    rows = queries.reaching_adr(scope, now=NOW)
    assert [(row.agent_name, row.counts) for row in rows] == [("Alex Agent", (1, 2)), ("Unassigned", (0, 1))]


def test_weekly_trends_by_uk_week(scope):
    assert Figures(scope).trends() == [
        (date(2026, 3, 2), 3, 1),
        (date(2026, 3, 9), 3, 1),
        (date(2026, 3, 16), 1, 0),
        (date(2026, 3, 23), 1, 0),
        (date(2026, 3, 30), 2, 1),
        (date(2026, 4, 6), 2, 3),
        (date(2026, 4, 13), 2, 0),
        (date(2026, 4, 20), 2, 1),
        # Complaint 4 was resolved at 00:30 UK time on Monday 27 April: Sunday in UTC.
        (date(2026, 4, 27), 0, 2),
        (date(2026, 5, 4), 2, 0),
        (date(2026, 5, 11), 0, 0),
        (date(2026, 5, 18), 2, 0),
        (date(2026, 5, 25), 1, 0),
    ]


def test_root_causes_and_remedies(scope):
    rows = [
        (row["root_cause__name"], row["product"], row["count"], row["upheld"], row["apologies"],
         row["explanations"], row["credits"], row["refunds"], row["redress"])
        for row in Figures(scope).root_causes()
    ]
    assert rows == [
        ("Billing error", B, 2, 1, 0, 0, 0, 1, D("100.00")),
        ("Billing error", W, 2, 2, 0, 0, 1, 2, D("35.50")),
        ("Service outage or fault", M, 3, 2, 2, 2, 1, 0, D("10.00")),
        ("Service outage or fault", W, 1, 1, 0, 0, 0, 0, D("0.00")),
        (None, M, 1, 0, 0, 0, 0, 0, D("0.00")),
    ]


def test_period_return(scope):
    rows, total = period_return(Figures(scope))
    by_product = {row.product: row for row in rows}
    assert [row.product for row in rows] == [product.label for product in Product]
    meeting, webinar, billing = (by_product[p.label] for p in (M, W, B))
    # Bands: within 3 business days, within 4 weeks, 4-8 weeks, after 8 weeks.
    assert (meeting.received, meeting.closed, meeting.upheld, meeting.outstanding, meeting.redress) == (
        11, (2, 2, 1, 0), 2, 6, D("10.00"))
    assert (webinar.received, webinar.closed, webinar.upheld, webinar.outstanding, webinar.redress) == (
        6, (0, 0, 2, 1), 3, 4, D("35.50"))
    assert (billing.received, billing.closed, billing.upheld, billing.outstanding, billing.redress) == (
        4, (1, 0, 0, 1), 1, 3, D("100.00"))
    assert (total.received, total.closed, total.upheld, total.outstanding, total.redress) == (
        21, (3, 2, 3, 2), 6, 13, D("145.50"))


def test_each_closed_complaint_falls_in_exactly_one_band(scope):
    _rows, total = period_return(Figures(scope))
    headline = Figures(scope).headline()
    assert sum(total.closed) == headline["resolved"] + headline["withdrawn"]


@pytest.mark.parametrize(("closed_on", "number", "band"), [
    # Received Thursday 2 April. Good Friday and Easter Monday are bank holidays, so the third
    # business day is Thursday 9 April (closed at 23:30) and the fourth Friday 10 April (00:30).
    (date(2026, 4, 9), 1, 0),
    (date(2026, 4, 10), 2, 1),
])
def test_three_business_days_skip_bank_holidays(dataset, closed_on, number, band):
    assert dataset[number].received_on == date(2026, 4, 2)
    _rows, total = period_return(Figures(Scope(period=Period(closed_on, closed_on))))
    assert total.closed == tuple(int(index == band) for index in range(4))


@pytest.mark.parametrize(("day", "closed_on", "band"), [
    (27, date(2026, 4, 5), 1),
    (28, date(2026, 4, 6), 2),
    (55, date(2026, 4, 26), 2),
    (56, date(2026, 4, 27), 3),
    (57, date(2026, 4, 28), 3),
])
def test_week_bands_turn_over_at_midnight_on_days_28_and_56(dataset, day, closed_on, band):
    _rows, total = period_return(Figures(Scope(period=Period(closed_on, closed_on))))
    assert total.closed == tuple(int(index == band) for index in range(4)), f"closed on day {day}"


@pytest.mark.parametrize(("filters", "received", "resolved"), [
    ({"product": Product.GOTOWEBINAR}, 6, 3),
    ({"category": Category.BILLING_DISCREPANCY}, 4, 4),
    ({"channel": Channel.PHONE}, 4, 3),
    ({"product": Product.GOTOMEETING, "channel": Channel.WEB}, 10, 4),
])
def test_filters_narrow_every_figure(scope, filters, received, resolved):
    figures = Figures(Scope(period=PERIOD, **filters)).headline()
    assert (figures["received"], figures["resolved"]) == (received, resolved)


def test_agent_filter(scope, bea):
    figures = Figures(Scope(period=PERIOD, agent=bea)).headline()
    assert (figures["open"], figures["received"], figures["resolved"]) == (2, 6, 3)
    assert [row.agent_name for row in queries.reaching_adr(Scope(period=PERIOD, agent=bea), now=NOW)] == [
        "Bea Agent"]


def test_deadlocks_count_in_their_period_whatever_happened_since(customer):
    # Received before the period, deadlocked in it, resolved after it.
    make_complaint(customer, uk(1, 20), moves=[(Status.DEADLOCK, uk(3, 10)), (Status.RESOLVED, uk(6, 1, 8))])
    make_complaint(customer, uk(1, 5), moves=[(Status.DEADLOCK, uk(2, 20)), (Status.RESOLVED, uk(3, 3))])
    make_complaint(customer, uk(4, 1), moves=[(Status.DEADLOCK, uk(5, 2)), (Status.WITHDRAWN, uk(5, 5))])
    assert Figures(Scope(period=PERIOD)).headline()["deadlocks"] == 2
