"""Admin building blocks the apps that show complaints share."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from complaints import access

# How many pages beyond the one shown the paginator counts rows for.
PAGES_AHEAD = 5
# Beyond any real list; a larger page number typed into the address would overflow the
# database's integers in the count's LIMIT.
MAX_PAGE = 1_000_000


class BoundedCountPaginator(Paginator):
    """Count rows only as far as a few pages past the current one.

    ``count`` is exact when the list ends within reach, otherwise it is the reach plus one
    and ``count_is_bounded`` is true; the list then says "more than N". The count reads at
    most that many rows through the list's index, never the whole table.
    """

    def __init__(self, *args, page_number=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.reach = self.reach_for(page_number, self.per_page)

    @staticmethod
    def reach_for(page_number, per_page):
        """Return how many rows a list counts up to when showing page ``page_number``."""
        return (min(max(page_number, 1), MAX_PAGE) + PAGES_AHEAD) * per_page

    @cached_property
    def count(self):
        # Any rows will do for a count, so drop the order and the annotations: the database
        # reads the cheapest index and stops at the bound.
        return self.object_list.order_by().values("pk")[: self.reach + 1].count()

    @property
    def count_is_bounded(self):
        return self.count > self.reach


class BoundedCountAdmin(admin.ModelAdmin):
    """A list that counts only a few pages ahead and never shows the full count (large tables)."""

    show_full_result_count = False
    # Counting every filter's choices would read the whole table on each page.
    show_facets = admin.ShowFacets.NEVER

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return BoundedCountPaginator(queryset, per_page, orphans, allow_empty_first_page,
                                     page_number=self.page_number(request))

    @staticmethod
    def page_number(request):
        """Return the page of the list asked for (1 for anything that is not a number)."""
        page = request.GET.get("p", "1")
        return int(page) if page.isdecimal() else 1


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the system writes and staff only read: nobody adds, edits or deletes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AccessLoggedAdmin(admin.ModelAdmin):
    """An admin whose object page shows a complaint's data: each opening is recorded.

    ``access_kind`` (an ``AccessKind``) says what was seen; objects without a complaint
    (an email about an account) are not complaint data and are not recorded.
    """

    access_kind = None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            # The object the page shows, as the admin read it: no second read.
            shown = response.context_data["original"]
            if shown.complaint_id:
                access.record_access(staff=request.user, kind=self.access_kind, complaint_ids=[shown.complaint_id])
        return response
