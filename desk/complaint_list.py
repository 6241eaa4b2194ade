"""The complaint list as agents see it: its columns, its rows and its filter sidebar.

The admin would render each of 50 rows cell by cell (a lookup, a format and an escape per
cell, the clock's state read three times a row); here each row's values are read once, in
Python, and the row is one template fragment (admin/desk/_complaint_row.html) making the
admin's own markup. The sidebar is kept in the cache under all it depends on.
"""

from django.conf import settings
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR, ChangeList
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

import clock
from common.kept_html import kept_html
from desk import queue
from desk.changelist import AgentFilter, clock_badge, days_open
from ombudsman.models import LetterStatus

# The sidebar's key changes with all it shows; this only bounds what a cache holds.
FILTERS_KEPT_SECONDS = 60 * 60


# What a row of the list reads (``row``, the clock's state and the queue's reason among it).
ROW_FIELDS = [
    "tracking_number", "status", "product", "category", "channel", "received_at", "closed_at", "adr_rights",
    "adr_opens_at", "customer_told_at", "awaiting_reply_since", "customer_acted_at", "deadlock_at",
    "deadlock_requested_at", "customer__full_name", "customer__email", "customer__vulnerable",
    "customer__support_consent_at", "assigned_to__full_name",
]

# Stands for a complaint's id in the link the list reverses once; replaced once, in the path
# (which comes before any filters that could hold the same words).
ID = "complaint-id"


class Column:
    """A column of the complaint list: its heading, and the field sorting by it orders by.

    The admin reads these for the table's headers and its sorting; the cells are rendered a
    whole row at a time (``QueueChangeList.rows``), not by the admin cell by cell.
    """

    def __init__(self, description, ordering=None):
        self.short_description = description
        self.admin_order_field = ordering


class QueueChangeList(ChangeList):
    """The complaint list: its rows (``rows``) and its filter sidebar (``filters_html``) for the
    desk's change_list.html, its order built once.

    It reads a short list the same way as a long one (``QueuePaginator``): Django reads a list
    shorter than a page as one query of whole rows in order; this reads it as a page, so the
    list costs the same queries whatever its length.
    """

    def get_ordering(self, request, queryset):
        # Unless sorted by a column, the admin's queryset comes in the list's order already
        # (ModelAdmin.get_queryset), and the admin would add that order again after its own:
        # the queue's expression twice (each of its own moment), for the database to work out
        # on every open complaint. Sorted by a column, that order breaks ties, once.
        if ORDER_VAR not in self.params:
            queryset = queryset.order_by()
        return super().get_ordering(request, queryset)

    def get_results(self, request):
        # The page's rows are read with the columns they show alone (the ids and the count read
        # none); actions get the admin's whole rows (get_queryset).
        self.queryset = self.queryset.only(*ROW_FIELDS)
        super().get_results(request)
        if not self.multi_page and not self.show_all:
            self.result_list = self.paginator.page(1).object_list

    @cached_property
    def headers(self):
        """Return the table's column headers as the admin builds them, sorting links included."""
        return list(result_headers(self))

    @cached_property
    def selectable(self):
        """Say whether each row has its box to select it for an action (when the agent has actions)."""
        return "action_checkbox" in self.list_display

    @cached_property
    def sorted_columns(self):
        """Return how many columns the list is sorted by (the headers number them when more than one)."""
        return sum(1 for header in self.headers if header["sortable"] and header["sorted"])

    @cached_property
    def filters_html(self):
        """Return the filter sidebar, rendered once for each list and set of staff in each cache.

        Its key holds all it depends on: the list's parameters, the staff the agent filter
        offers (read on every request, so a new agent or a change of name shows at once in
        every process) and the code's version (the other filters' choices are the code's).
        """
        if SEARCH_VAR in self.params:
            # Its links carry the search: a customer's name or email, never kept.
            return render_to_string("admin/desk/_filters.html", {"cl": self})
        staff = [spec.lookup_choices for spec in self.filter_specs if isinstance(spec, AgentFilter)]
        return kept_html("desk:filters", (settings.CODE_VERSION, sorted(self.params.items()), staff),
                         FILTERS_KEPT_SECONDS, lambda: render_to_string("admin/desk/_filters.html", {"cl": self}))

    def rows(self):
        """Return what each row of the page shows (``row``), for admin/desk/_complaint_row.html."""
        now = timezone.now()
        # One URL reversal for the page (each costs as much as a row): the admin's link to a
        # complaint differs from the next only by its id, and carries the list's filters so
        # its page leads back here.
        link = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[ID],
                       current_app=self.model_admin.admin_site.name)
        if self.preserved_filters:
            link = f"{link}?{self.preserved_filters}"
        return [row(complaint, now, link.replace(ID, str(complaint.pk), 1)) for complaint in self.result_list]


def row(complaint, now, link):
    """Return what one complaint's row of the list shows, each value read once (its clock's state too).

    ``complaint`` comes from the admin's queryset, with its latest letter's status, whether
    it was referred and when this agent last opened it.
    """
    state = clock.state(complaint, now)
    customer = complaint.customer
    letter = LetterStatus(complaint.letter_status).label if complaint.letter_status else None
    band, words = clock_badge(complaint, letter, now, state=state)
    flags = [
        ("vulnerable", "Vulnerable", customer.vulnerable and customer.has_support_consent),
        ("deadlock", "Deadlock", complaint.deadlock_at is not None),
        ("referral", "Ombudsman", complaint.has_referral),
        ("asked", "Deadlock asked",
         complaint.deadlock_requested_at is not None and complaint.deadlock_at is None and not complaint.is_closed),
    ]
    # Strings, not numbers: the template would localise each number it shows.
    return {
        "id": str(complaint.pk), "tracking_number": complaint.tracking_number, "link": link,
        "customer_name": customer.full_name, "customer_email": customer.email or "no email",
        "reason": queue.reason(complaint, state=state), "reason_words": queue.reason_words(complaint, state=state),
        "unread": complaint.customer_acted_at is not None and (
            complaint.seen_at is None or complaint.customer_acted_at > complaint.seen_at),
        "clock_band": band, "clock_words": words, "status": queue.status_label(complaint.status),
        "product": complaint.get_product_display(), "category": complaint.get_category_display(),
        "channel": complaint.get_channel_display(),
        "agent": complaint.assigned_to.full_name if complaint.assigned_to else "—",
        "days_open": str(days_open(complaint, now)),
        "flags": [(name, label) for name, label, on in flags if on],
    }
