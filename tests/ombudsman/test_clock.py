"""The clock: ADR opens at 00:00 UK time on day N, whatever the time of receipt or the season."""

from datetime import date, timedelta

import pytest
import time_machine

from complaints import services as complaint_services
from complaints.models import Status
from ombudsman import sweep
from ombudsman.models import Letter, LetterKind, WaitingPeriodPolicy
from tests.conftest import file_complaint
from tests.ombudsman.conftest import uk

SECOND = timedelta(seconds=1)


def adr_letters(complaint):
    return Letter.objects.filter(complaint=complaint, kind=LetterKind.ADR).count()


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return sweep.run()


@pytest.mark.parametrize(("received", "opens"), [
    # Winter to winter (GMT throughout).
    (uk(2026, 1, 5, 0, 0, 0), uk(2026, 3, 2)),
    (uk(2026, 1, 5, 23, 59, 59), uk(2026, 3, 2)),
    # Across the start of British Summer Time (29 March 2026): 00:00 BST is 23:00 UTC.
    (uk(2026, 3, 2, 0, 0, 1), uk(2026, 4, 27)),
    (uk(2026, 3, 2, 12, 30), uk(2026, 4, 27)),
    (uk(2026, 3, 2, 23, 59, 59), uk(2026, 4, 27)),
    # Across the end of BST (25 October 2026). 00:30 BST on 21 September is still
    # 20 September in UTC: the UK calendar day counts.
    (uk(2026, 9, 21, 0, 30), uk(2026, 11, 16)),
    (uk(2026, 9, 20, 23, 30), uk(2026, 11, 15)),
])
def test_adr_letter_is_written_at_midnight_uk_on_day_56(customer, received, opens):
    with time_machine.travel(received, tick=False):
        complaint = file_complaint(customer)
    assert complaint.adr_opens_at == opens
    assert complaint.received_on + timedelta(days=56) == opens.date()

    sweep_at(opens - SECOND)
    complaint.refresh_from_db()
    assert adr_letters(complaint) == 0
    assert not complaint.is_adr_eligible(opens - SECOND)
    assert complaint.adr_letter_pending

    sweep_at(opens)
    assert adr_letters(complaint) == 1
    assert complaint.is_adr_eligible(opens)
    letter = Letter.objects.get(complaint=complaint)
    assert letter.letter_date == opens.date()
    assert letter.refer_by == date(opens.year + 1, opens.month, opens.day)

    sweep_at(opens + SECOND)
    assert adr_letters(complaint) == 1


def test_complaints_received_at_different_times_of_one_day_open_together(customer):
    times = [uk(2026, 3, 2, 0, 0), uk(2026, 3, 2, 8, 15), uk(2026, 3, 2, 23, 59, 59)]
    complaints = []
    for moment in times:
        with time_machine.travel(moment, tick=False):
            complaints.append(file_complaint(customer))
    opens = uk(2026, 4, 27)

    sweep_at(opens - SECOND)
    assert Letter.objects.count() == 0
    sweep_at(opens)
    assert sorted(Letter.objects.values_list("complaint_id", flat=True)) == sorted(c.pk for c in complaints)


def test_six_week_policy_applies_from_its_date_and_older_complaints_keep_eight_weeks(customer):
    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 6, 1), days=42, note="Ofcom's 2026 review")
    # 00:00 BST on 1 June is 23:00 UTC on 31 May: the UK date decides which policy applies.
    with time_machine.travel(uk(2026, 5, 31, 23, 59, 59), tick=False):
        older = file_complaint(customer)
    with time_machine.travel(uk(2026, 6, 1, 0, 0), tick=False):
        newer = file_complaint(customer)

    assert older.waiting_period_days == 56
    assert older.adr_opens_at == uk(2026, 7, 26)
    assert newer.waiting_period_days == 42
    assert newer.adr_opens_at == uk(2026, 7, 13)

    sweep_at(uk(2026, 7, 13) - SECOND)
    assert Letter.objects.count() == 0
    sweep_at(uk(2026, 7, 13))
    assert adr_letters(newer) == 1
    assert adr_letters(older) == 0
    sweep_at(uk(2026, 7, 26))
    assert adr_letters(older) == 1
    assert "6 weeks" in Letter.objects.get(complaint=newer).text
    assert "8 weeks" in Letter.objects.get(complaint=older).text


def test_a_later_policy_never_moves_a_complaint_in_flight(customer):
    with time_machine.travel(uk(2026, 5, 1, 10), tick=False):
        complaint = file_complaint(customer)
    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 5, 2), days=42)
    complaint.refresh_from_db()
    assert complaint.waiting_period_days == 56
    assert complaint.adr_opens_at == uk(2026, 6, 26)


def test_the_clock_never_pauses_while_waiting_for_the_customer(customer):
    with time_machine.travel(uk(2026, 3, 2, 9), tick=False):
        complaint = file_complaint(customer)
        complaint_services.change_status(complaint=complaint, to=Status.AWAITING_CUSTOMER)
    sweep_at(uk(2026, 4, 27))
    assert adr_letters(complaint) == 1


def test_a_complaint_closed_at_the_deadline_gets_no_letter_until_reopened(customer, agent):
    with time_machine.travel(uk(2026, 3, 2, 9), tick=False):
        complaint = file_complaint(customer)
    with time_machine.travel(uk(2026, 4, 1, 9), tick=False):
        complaint_services.change_status(complaint=complaint, to=Status.RESOLVED, actor=agent)
    sweep_at(uk(2026, 4, 27))
    assert adr_letters(complaint) == 0

    with time_machine.travel(uk(2026, 5, 10, 9), tick=False):
        complaint_services.change_status(complaint=complaint, to=Status.INVESTIGATING, actor=customer)
        complaint.refresh_from_db()
        # Reopening never restarts the clock: it is past its waiting period at once.
        assert complaint.adr_opens_at == uk(2026, 4, 27)
        assert complaint.is_adr_eligible()
    sweep_at(uk(2026, 5, 10, 9, 5))
    assert adr_letters(complaint) == 1


def test_sweep_clocks_command_sweeps_as_of_the_given_moment(customer, capsys):
    from django.core.management import call_command

    with time_machine.travel(uk(2026, 3, 2, 9), tick=False):
        complaint = file_complaint(customer)
        call_command("sweep_clocks", "--now", "2026-04-26T23:59:59+01:00")
        assert adr_letters(complaint) == 0
        call_command("sweep_clocks", "--now", "2026-04-27T00:00:00")
        assert adr_letters(complaint) == 1
    assert "adr letters: 1" in capsys.readouterr().out
