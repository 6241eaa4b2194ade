"""Words from the data: letters, the final answer and pages say the complaint's own period and
the days that actually passed, and the numbers the rules set, from the one place each is kept."""

from datetime import date, timedelta

import pytest
import time_machine

import clock
from complaints import services
from complaints.models import Complaint
from ombudsman import services as adr_services
from ombudsman import sweep
from ombudsman.models import Letter, LetterKind, WaitingPeriodPolicy
from tests.conftest import file_complaint
from tests.ombudsman.conftest import uk


@pytest.mark.parametrize(("days", "words"), [(56, "8 weeks"), (42, "6 weeks"), (7, "1 week"), (30, "30 days"),
                                             (1, "1 day")])
def test_a_period_is_said_in_weeks_when_it_is_whole_weeks(days, words):
    assert clock.period_in_words(days) == words


def test_the_adr_letter_says_the_days_that_passed_not_the_period(customer, agent):
    # Resolved in time, reopened on day 70: the letter goes out then, 70 days after receipt.
    with time_machine.travel(uk(2026, 3, 2, 9), tick=False):
        complaint = file_complaint(customer)
    with time_machine.travel(uk(2026, 3, 20, 9), tick=False):
        services.resolve_complaint(complaint=complaint, agent=agent, summary="Fixed.", upheld="upheld")
    with time_machine.travel(uk(2026, 5, 11, 9), tick=False):
        services.reopen_complaint(complaint=complaint, actor=agent, reason="It broke again.")
        sweep.run()

    letter = Letter.objects.get(complaint=complaint, kind=LetterKind.ADR)
    assert "We received your complaint 70 days ago" in letter.text
    assert "The 8 weeks we had to resolve it ended on 27 April 2026" in letter.text
    assert "It is now 8 weeks" not in letter.text


def test_the_final_answer_says_the_complaints_own_period(customer, agent):
    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 1, 1), days=42, note="Ofcom's 6 weeks")
    with time_machine.travel(uk(2026, 3, 2, 9), tick=False):
        complaint = file_complaint(customer)
    with time_machine.travel(uk(2026, 3, 10, 9), tick=False):
        services.resolve_complaint(complaint=complaint, agent=agent, summary="Fixed.", upheld="upheld")

    answer = complaint.events.get(data__final_answer=True).body
    assert "You can contact Otelo from 13 April 2026, 6 weeks after you first complained" in answer
    assert "8 weeks" not in answer


def test_the_business_size_threshold_comes_from_its_constant(client, db, monkeypatch):
    monkeypatch.setattr("complaints_portal.context_processors.ADR_MAX_BUSINESS_WORKERS", 25)
    text = " ".join(client.get("/").text.split())
    assert "small businesses (25 or fewer workers)" in text
    assert "more than 25 workers" in text


def test_complaints_reaching_adr_are_running_clocks(customer, agent):
    now = uk(2026, 6, 1, 9)
    with time_machine.travel(now - timedelta(days=50), tick=False):
        running = file_complaint(customer)
        deadlocked = file_complaint(customer)
    with time_machine.travel(now - timedelta(days=1), tick=False):
        adr_services.declare_deadlock(complaint=deadlocked, actor=agent, reason="Final.")

    reaching = Complaint.objects.filter(clock.reaching_adr_q(now, 7))
    assert set(reaching.values_list("pk", flat=True)) == {running.pk}
    assert not reaching.exclude(clock.state_q(clock.ClockState.RUNNING, now)).exists()
