"""UK dates, business days and report periods."""

from datetime import date, datetime, timedelta

import pytest

from clock import UK, add_working_days, bank_holidays
from reports.periods import BUSINESS_DAYS_LOOKBACK, Period, business_day_offsets


@pytest.mark.parametrize(("received", "third_business_day"), [
    (date(2026, 3, 9), date(2026, 3, 12)),  # Monday: Thursday
    (date(2026, 3, 13), date(2026, 3, 18)),  # Friday: Wednesday
    (date(2026, 3, 14), date(2026, 3, 18)),  # Saturday: Wednesday
    (date(2026, 3, 15), date(2026, 3, 18)),  # Sunday: Wednesday
    (date(2026, 4, 2), date(2026, 4, 9)),  # Good Friday and Easter Monday skipped
    (date(2026, 12, 24), date(2026, 12, 31)),  # Christmas, and Boxing Day observed on the 28th
    (date(2026, 12, 30), date(2027, 1, 5)),  # New Year's Day of the next year
])
def test_third_business_day_after_receipt(received, third_business_day):
    holidays = bank_holidays(received.year, received.year + 1)
    assert add_working_days(received, 3, holidays) == third_business_day


def test_business_day_offsets_group_dates_by_their_cutoff():
    offsets = business_day_offsets(date(2026, 3, 30), date(2026, 4, 5))
    assert offsets == {
        3: [date(2026, 3, 30)],  # Monday to Thursday
        7: [date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 2)],  # over Good Friday and Easter Monday
        6: [date(2026, 4, 3)],  # Good Friday to Thursday 9th
        5: [date(2026, 4, 4)],  # Saturday to Thursday 9th
        4: [date(2026, 4, 5)],  # Easter Sunday to Thursday 9th
    }


def test_the_lookback_covers_the_longest_christmas_break():
    # Christmas 2021 and New Year 2022 fell on weekends: 27, 28 December and 3 January were
    # bank holidays instead.
    longest = max(business_day_offsets(date(2000, 1, 1), date(2040, 12, 31)))
    assert longest <= BUSINESS_DAYS_LOOKBACK


def test_a_period_runs_from_uk_midnight_to_uk_midnight_across_a_clock_change():
    period = Period(date(2026, 3, 2), date(2026, 5, 31))
    assert period.start == datetime(2026, 3, 2, tzinfo=UK)
    assert period.start.utcoffset() == timedelta(0)
    assert period.end == datetime(2026, 6, 1, tzinfo=UK)
    assert period.end.utcoffset() == timedelta(hours=1)
    assert str(period) == "2 March 2026 to 31 May 2026"


def test_weeks_start_on_the_monday_of_the_first_day():
    assert Period(date(2026, 3, 4), date(2026, 3, 16)).week_starts() == [
        date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]


def test_the_default_period_is_the_last_twelve_weeks_to_today():
    # 00:30 on Monday 30 March in the UK is still Sunday in UTC.
    now = datetime(2026, 3, 30, 0, 30, tzinfo=UK)
    assert Period.default(now) == Period(date(2026, 1, 12), date(2026, 3, 30))
    assert len(Period.default(now).week_starts()) == 12


def test_previous_week_is_monday_to_sunday():
    assert Period.previous_week(datetime(2026, 6, 1, 7, tzinfo=UK)) == Period(date(2026, 5, 25), date(2026, 5, 31))
