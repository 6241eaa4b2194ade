"""Report periods, UK calendar days and business days.

How days are counted, everywhere in the reports: days are Europe/London calendar days and
the day a complaint is received is day 0. "Within N weeks" means closed before 00:00 UK
time on day 7 x N, the moment the 8-week ADR waiting period ends, so a complaint closed on
day 55 was closed within 8 weeks and one closed on day 56 was not. "Within 3 business days"
means closed by the end of the third business day after the day of receipt, business days
being Monday to Friday except England and Wales bank holidays.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from clock import add_working_days, bank_holidays, uk_midnight, uk_today

BUSINESS_DAYS_BAND = 3

# Open complaints by age: (label, first day, last day); the last band has no end.
AGE_BANDS = (
    ("0-2 weeks", 0, 13),
    ("2-4 weeks", 14, 27),
    ("4-6 weeks", 28, 41),
    ("6-8 weeks", 42, 55),
    ("Over 8 weeks", 56, None),
)

# Any 14 days hold at least six business days (ten weekdays, at most four of them bank
# holidays, around Christmas and New Year), so a complaint closed within 3 business days
# was received at most this many days before it was closed.
BUSINESS_DAYS_LOOKBACK = 14


def monday_of(day):
    return day - timedelta(days=day.weekday())


def business_day_offsets(first, last, n=BUSINESS_DAYS_BAND):
    """Group the dates from ``first`` to ``last`` by how many calendar days away their nth
    business day is: ``{offset: [dates]}``. Loops over dates, never over complaints.
    """
    # The next year too: the business days after a late-December date fall in January.
    bank_holiday_dates = bank_holidays(first.year, last.year + 1)
    offsets = {}
    day = first
    while day <= last:
        offset = (add_working_days(day, n, bank_holiday_dates) - day).days
        offsets.setdefault(offset, []).append(day)
        day += timedelta(days=1)
    return offsets


@dataclass(frozen=True)
class Period:
    """A span of UK dates, both ends included."""

    first: date
    last: date

    @classmethod
    def default(cls, now=None):
        """Return the last twelve weeks: from the Monday eleven weeks before this week's, to today."""
        today = uk_today(now)
        return cls(monday_of(today) - timedelta(weeks=11), today)

    @classmethod
    def previous_week(cls, now=None):
        """Return last week, Monday to Sunday."""
        monday = monday_of(uk_today(now)) - timedelta(weeks=1)
        return cls(monday, monday + timedelta(days=6))

    @property
    def start(self):
        """00:00 UK time on the first day."""
        return uk_midnight(self.first)

    @property
    def end(self):
        """00:00 UK time on the day after the last day (the period excludes it)."""
        return uk_midnight(self.last + timedelta(days=1))

    def week_starts(self):
        """Return the Mondays of the weeks the period touches, in order."""
        monday, weeks = monday_of(self.first), []
        while monday <= self.last:
            weeks.append(monday)
            monday += timedelta(weeks=1)
        return weeks

    def __str__(self):
        return f"{self.first:%-d %B %Y} to {self.last:%-d %B %Y}"
