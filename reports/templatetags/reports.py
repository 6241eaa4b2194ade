from django import template
from django.template.defaultfilters import date as format_date

from accounts import roles
from reports.tables import COUNT, DATE, DAYS, MONEY, PERCENT

register = template.Library()


@register.filter
def cell_value(cell):
    """Show a table cell's value as its kind reads best ("–" for none)."""
    value = cell.value
    if value is None:
        return "–"
    if cell.kind == COUNT:
        # As humanize's intcomma writes it in UK English, without its locale lookups per cell.
        return f"{value:,}"
    if cell.kind == MONEY:
        return f"£{value:,.2f}"
    if cell.kind == PERCENT:
        return f"{value:.1f}%"
    if cell.kind == DAYS:
        return f"{value:.1f}"
    if cell.kind == DATE:
        return format_date(value, "j M Y")
    return value


@register.filter
def is_manager(user):
    """Say whether a user may see the reports (complaint managers and superusers)."""
    return roles.is_manager(user)
