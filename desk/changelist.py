"""The agents' complaint list: its filters, its paginator, its view counts and its clock badge
(its table and sidebar as shown are desk.complaint_list's).

The list must stay fast on a million complaints: every filter is an indexed condition on
the complaint (or a join to its customer), and the paginator never counts the whole table.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.paginator import InvalidPage
from django.db.models import Q
from django.utils import timezone

import clock
from accounts.roles import COMPLAINT_MANAGERS, SUPPORT_AGENTS
from clock import ClockState
from common.counts import count_each
from complaints.admin_base import BoundedCountPaginator
from complaints.models import CLOSED_STATUSES, Complaint, Status
from desk import queue


class QueuePaginator(BoundedCountPaginator):
    """Find a page's complaints by their ids first, then read only those rows.

    Ordering the open complaints by the queue's urgency reads every one of them; asked for ids
    alone, the database finds them in the open complaints' index (which carries the columns the
    order reads) without touching the wide rows, and then reads the page's 50.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:bottom + self.per_page])
        if not ids and number > 1:
            raise InvalidPage("That page contains no results")
        # Put in the ids' order: without the queue's order (an expression of every row) to build
        # and sort again.
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def staff_for_assignment():
    """Return the staff complaints can be assigned to: the agents and the managers.

    Found through their groups, never by scanning the users, most of whom are customers.
    """
    return (
        get_user_model().objects
        .filter(groups__name__in=(SUPPORT_AGENTS, COMPLAINT_MANAGERS), is_active=True, is_staff=True)
        .distinct().order_by("full_name", "pk")
    )


class StatusFilter(admin.SimpleListFilter):
    """Open complaints unless the agent asks for another status, searches, or follows a link
    that picks statuses itself (the reports' links do)."""

    title = "status"
    parameter_name = "status"
    OPEN, ALL = "open", "all"

    def __init__(self, request, params, model, model_admin):
        self.default_applies = self.applies_by_default(request.GET)
        super().__init__(request, params, model, model_admin)

    @classmethod
    def applies_by_default(cls, params):
        # A search, the clock filter and the reports' links pick their complaints themselves.
        return not params.get("q") and ClockFilter.parameter_name not in params and not any(
            key.startswith("status__") for key in params)

    @classmethod
    def shows_open_only(cls, params):
        """Say whether the list shows the open complaints (its default)."""
        return (params.get(cls.parameter_name) or (cls.OPEN if cls.applies_by_default(params) else cls.ALL)) \
            == cls.OPEN

    def lookups(self, request, model_admin):
        return [(self.OPEN, "Open"), *((value, queue.status_label(value)) for value in Status.values),
                (self.ALL, "All")]

    def choices(self, changelist):
        current = self.value() or (self.OPEN if self.default_applies else self.ALL)
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or (self.OPEN if self.default_applies else self.ALL)
        if value == self.OPEN:
            return queryset.exclude(status__in=CLOSED_STATUSES)
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


class ViewFilter(admin.SimpleListFilter):
    """The queue's named views; the bare list opens on the agent's own ("Mine")."""

    title = "view"
    parameter_name = "view"

    def __init__(self, request, params, model, model_admin):
        self.default_applies = self.applies_by_default(request.GET)
        super().__init__(request, params, model, model_admin)

    @classmethod
    def applies_by_default(cls, params):
        # Any filter or search picks its complaints itself; only paging and sorting keep the default.
        return set(params) <= {"p", "o"}

    @classmethod
    def current(cls, params):
        """Return the view the list shows (a ``queue.View``), or None for none.

        A search, a status or the clock filter picks complaints of its own, closed ones too, so
        it sets aside the view it was chosen from.
        """
        if params.get("q") or any(key in ("status", "clock") or key.startswith("status__") for key in params):
            return None
        value = params.get(cls.parameter_name)
        if value in queue.View.values:
            return queue.View(value)
        return queue.View.MINE if cls.applies_by_default(params) else None

    def lookups(self, request, model_admin):
        return queue.View.choices

    def choices(self, changelist):
        current = self.current(changelist.params)
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        view = self.current(request.GET)
        if view is None:
            return queryset
        return queryset.filter(queue.view_q(view, user=request.user, now=timezone.now()))


def view_counts(user, reach, now=None):
    """Return each view's count of complaints for ``user``, counting at most ``reach`` + 1 of them.

    One statement for the seven counts: one round trip, not seven. Without the model's order,
    the database reads each view's own index and stops at the bound.
    """
    now = now or timezone.now()
    counts = count_each(**{view.value: Complaint.objects.filter(queue.view_q(view, user=user, now=now))[: reach + 1]
                           for view in queue.View})
    return {view: counts[view.value] for view in queue.View}


class AgentFilter(admin.SimpleListFilter):
    title = "assigned agent"
    parameter_name = "agent"

    def lookups(self, request, model_admin):
        staff = staff_for_assignment().values_list("pk", "full_name", "email")
        return [("me", "Me"), ("none", "Unassigned"), ("any", "Anyone"),
                *((str(pk), full_name or email) for pk, full_name, email in staff)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_to=request.user)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        if value == "any":
            return queryset.filter(assigned_to__isnull=False)
        if value and value.isdecimal():
            return queryset.filter(assigned_to_id=int(value))
        return queryset


# The clock filter's choices: the clock's states, and the complaints reaching ADR soon.
CLOCK_CHOICES = [
    (ClockState.BREACH, "Breach: ADR letter owed"),
    ("7", "Reaching ADR within 7 days"),
    ("14", "Reaching ADR within 14 days"),
    (ClockState.RUNNING, "Running"),
    (ClockState.CUSTOMER_TOLD, "Customer told (letter written)"),
    (ClockState.CLOSED_IN_TIME, "Closed in time"),
    (ClockState.CLOSED_LATE, "Closed late"),
    (ClockState.PAST_PERIOD, "Past the period (no ADR rights)"),
    (ClockState.CLOSED, "Closed (no ADR rights)"),
]


class ClockFilter(admin.SimpleListFilter):
    """Complaints by the state of their clock (the clock module's one definition)."""

    title = "clock"
    parameter_name = "clock"

    def lookups(self, request, model_admin):
        return CLOCK_CHOICES

    def queryset(self, request, queryset):
        value, now = self.value(), timezone.now()
        if value in ("7", "14"):
            return queryset.filter(clock.reaching_adr_q(now, int(value)))
        if value in ClockState.values:
            return queryset.filter(clock.state_q(value, now))
        return queryset


class YesNoFilter(admin.SimpleListFilter):
    condition = None

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.get_condition())
        if self.value() == "no":
            return queryset.exclude(self.get_condition())
        return queryset

    def get_condition(self):
        return self.condition


class VulnerableFilter(YesNoFilter):
    title = "vulnerable customer"
    parameter_name = "vulnerable"
    # Support needs count only while the customer's consent to keep them is on record.
    condition = Q(customer__vulnerable=True, customer__support_consent_at__isnull=False)


class AdrEligibleFilter(YesNoFilter):
    """Complaints the customer may take to the ombudsman now (``clock.may_refer``)."""

    title = "customer may refer to ADR"
    parameter_name = "adr_eligible"

    def get_condition(self):
        return clock.may_refer_q(timezone.now())


class DeadlockRequestedFilter(YesNoFilter):
    title = "customer asked for a deadlock letter"
    parameter_name = "deadlock_requested"
    condition = Q(deadlock_requested_at__isnull=False, deadlock_at__isnull=True) & ~Q(status__in=CLOSED_STATUSES)


def clock_badge(complaint, letter_status=None, now=None, *, state=None):
    """Return (css band, words) for a complaint's clock as staff read it.

    ``letter_status`` is the latest letter's status label, said beside "Customer told";
    ``state`` is the clock's state at ``now`` where the caller has read it already.
    """
    state = state or clock.state(complaint, now)
    if state == ClockState.RUNNING:
        days = clock.days_left(complaint, now)
        return ("soon" if days <= 7 else "near" if days <= 14 else "later"), f"{days} d left"
    if state == ClockState.BREACH:
        days = -clock.days_left(complaint, now)
        return "breach", "Breach: ADR opened today" if days == 0 else f"Breach: ADR opened {days} d ago"
    if state == ClockState.CUSTOMER_TOLD:
        return "told", f"Customer told ({letter_status.lower()})" if letter_status else "Customer told"
    if state == ClockState.PAST_PERIOD:
        return "past", "Past the period"
    return "closed", state.label


def days_open(complaint, now=None):
    """Return how many calendar days the complaint has been (or was) open."""
    end = complaint.closed_at or now or timezone.now()
    return (clock.uk_date(end) - complaint.received_on).days
