from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.forms.models import ModelChoiceIterator
from django.template.loader import render_to_string

import clock
from accounts.models import User
from common.kept_html import kept_html
from complaints.models import Category, Channel, Product
from reports.periods import Period
from reports.queries import Scope

# A longer period makes the weekly trend unreadable and the page slow.
MAX_PERIOD_DAYS = 3 * 366
# Reports look back at complaints: none came before the portal's records begin, and a date
# far ahead overflows the calendar arithmetic of the figures (year 9999 plus a day).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_YEARS_AHEAD = 1



# Browsers' date pickers read and write ISO dates, whatever the page's language.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StaffChoices(ModelChoiceIterator):
    def __iter__(self):
        # A few staff, read in one plain query: Django's default reads them through a
        # server-side cursor, three round trips on PostgreSQL for every page.
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for user in self.queryset:
            yield self.choice(user)


class AgentChoiceField(forms.ModelChoiceField):
    iterator = StaffChoices

    def label_from_instance(self, obj):
        return obj.full_name or obj.email


class ReportFilterForm(forms.Form):
    """The report's filters, read from the query string (every field optional)."""

    date_from = forms.DateField(label="From", required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label="To", required=False, widget=DATE_INPUT)
    product = forms.ChoiceField(choices=[("", "All products"), *Product.choices], required=False)
    category = forms.ChoiceField(choices=[("", "All categories"), *Category.choices], required=False)
    channel = forms.ChoiceField(
        label="How it arrived", choices=[("", "Any way"), *Channel.choices], required=False
    )
    agent = AgentChoiceField(
        queryset=User.objects.filter(is_staff=True).only("pk", "full_name", "email").order_by("full_name", "pk"),
        required=False,
        empty_label="All agents",
    )

    def __init__(self, data=None, now=None, **kwargs):
        self.default_period = Period.default(now)
        super().__init__(data, **kwargs)

    def _clean_date(self, name):
        day = self.cleaned_data[name]
        latest = date(clock.uk_today().year + LATEST_YEARS_AHEAD, 12, 31)
        if day and not EARLIEST_DATE <= day <= latest:
            raise forms.ValidationError(
                f"Choose a date between {EARLIEST_DATE:%-d %B %Y} and {latest:%-d %B %Y}.")
        return day

    def clean_date_from(self):
        return self._clean_date("date_from")

    def clean_date_to(self):
        return self._clean_date("date_to")

    def clean(self):
        cleaned = super().clean()
        first = cleaned.get("date_from") or self.default_period.first
        last = cleaned.get("date_to") or self.default_period.last
        if "date_from" in cleaned and "date_to" in cleaned:
            if first > last:
                self.add_error("date_to", "The end of the period must not be before its start.")
            elif (last - first) > timedelta(days=MAX_PERIOD_DAYS):
                self.add_error("date_from", "Choose a period of three years or less.")
        cleaned["period"] = Period(first, last)
        return cleaned

    def html(self):
        """Return the filters as the page shows them, rendered once for each set of values in each cache.

        Its key holds all they depend on: the values given, the default period (which also
        bounds the dates allowed), the staff the agent filter offers (read on every request,
        so a new agent or a change of name shows at once in every process) and the code's
        version (the other choices are the code's).
        """
        if not settings.REPORTS_CACHE_SECONDS:
            return render_to_string("reports/_filters.html", {"form": self})
        staff = [(str(value), label) for value, label in self.fields["agent"].choices]
        return kept_html("reports:filters",
                         (settings.CODE_VERSION, self.default_period, sorted(self.data.lists()), staff),
                         settings.REPORTS_CACHE_SECONDS,
                         lambda: render_to_string("reports/_filters.html", {"form": self}))

    def scope(self):
        """Return the report's scope: the filters given, or the default twelve weeks."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return Scope(
            period=data.get("period", self.default_period),
            product=data.get("product", ""), category=data.get("category", ""),
            channel=data.get("channel", ""), agent=data.get("agent"),
        )
