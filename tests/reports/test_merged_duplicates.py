"""A duplicate merged into another complaint is no second complaint: the reports count the pair once."""

from datetime import date

import time_machine

from complaints import services
from complaints.models import Channel
from ombudsman import services as adr_services
from reports.figures import Figures
from reports.period_return import period_return
from reports.periods import Period
from reports.queries import Scope
from tests.conftest import file_complaint
from tests.ombudsman.conftest import uk

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def test_the_reports_count_a_merged_pair_once(customer, agent):
    with time_machine.travel(uk(2026, 3, 2, 10), tick=False):
        web = file_complaint(customer)
    with time_machine.travel(uk(2026, 3, 5, 10), tick=False):
        phone = file_complaint(customer, channel=Channel.PHONE)
        for complaint in (web, phone):
            adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Our final position.")
    with time_machine.travel(uk(2026, 3, 6, 10), tick=False):
        services.merge_complaints(survivor=phone, duplicate=web, actor=agent)

    figures = Figures(Scope(period=MARCH), uk(2026, 4, 1, 9))
    headline = figures.headline()
    _rows, total = period_return(figures)

    assert (headline["received"], headline["open"], headline["deadlocks"]) == (1, 1, 1)
    assert (total.received, sum(total.closed), total.outstanding) == (1, 0, 1)
