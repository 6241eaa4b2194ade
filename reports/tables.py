"""The report's tables: one definition each, rendered as HTML and as CSV alike."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils.http import urlencode

from common.spreadsheets import safe_text

# How a value is shown: as text, a count, money (GBP), a percentage, days, or a date.
TEXT, COUNT, MONEY, PERCENT, DAYS, DATE = "text", "count", "money", "percent", "days", "date"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = COUNT

    @property
    def numeric(self):
        return self.kind not in (TEXT, DATE)


@dataclass(frozen=True)
class Cell:
    value: object
    kind: str = ""
    link: str = ""

    @property
    def numeric(self):
        return self.kind not in (TEXT, DATE)


@dataclass
class Table:
    slug: str
    title: str
    columns: list
    rows: list
    total: list | None = None
    note: str = ""

    def _cells(self, values):
        cells = []
        for column, value in zip(self.columns, values, strict=True):
            cell = value if isinstance(value, Cell) else Cell(value)
            cells.append(Cell(cell.value, cell.kind or column.kind, cell.link))
        return cells

    @property
    def body(self):
        return [self._cells(row) for row in self.rows]

    @property
    def footer(self):
        return self._cells(self.total) if self.total else None

    @property
    def all_rows(self):
        """The body, then the total row if there is one."""
        return self.body + ([self.footer] if self.footer else [])

    def csv_rows(self):
        """Return the header and every row as plain values for a spreadsheet."""
        yield [column.label for column in self.columns]
        for cells in self.all_rows:
            yield [csv_value(cell) for cell in cells]


def csv_value(cell):
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, int | float):
        return value
    return safe_text(str(value))


def admin_list_url(lookups):
    """Link to the staff admin's complaint list, filtered by field lookups Django's admin
    applies as they are (``__in`` values comma-separated, ``__isnull`` as True/False).
    """
    params = {}
    for key, value in lookups.items():
        if key.endswith("__in"):
            value = ",".join(str(item) for item in value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        params[key] = value
    return f"{reverse('admin:complaints_complaint_changelist')}?{urlencode(params)}"
