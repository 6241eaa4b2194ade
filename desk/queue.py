"""The desk's queue: why a complaint needs an agent now, and the named views agents work from.

A complaint's place in the queue is said twice, for one complaint (``reason``) and for many
(``urgency``), and a test holds the two to agreement. The order is the issue's:
breaches, then complaints where the customer acted last, then new complaints not yet
acknowledged, then running clocks by days left, then the rest (the customer told, or no ADR
letter owed).
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When

import clock
from clock import CLOSED_STATUSES, ClockState, Status

# Statuses as staff say them, where the customer's own words read wrong on the desk.
STAFF_STATUS_LABELS = {Status.AWAITING_CUSTOMER: "Waiting for the customer"}


def status_label(status):
    """Return a complaint status as the desk says it."""
    return STAFF_STATUS_LABELS.get(status, Status(status).label)


class Reason(models.TextChoices):
    BREACH = "breach", "Breach"
    CUSTOMER = "customer", "Customer replied"
    NEW = "new", "New"
    RUNNING = "running", "Clock running"
    OTHER = "other", "No letter owed"


def reason(complaint, now=None, *, state=None):
    """Return why one complaint is where it is in the queue (a ``Reason``).

    ``state`` is the complaint's clock state at ``now`` where the caller has read it already.
    """
    if (state or clock.state(complaint, now)) == ClockState.BREACH:
        return Reason.BREACH
    if complaint.status in CLOSED_STATUSES:
        return Reason.OTHER
    if complaint.awaiting_reply_since is not None:
        return Reason.CUSTOMER
    if complaint.status == Status.RECEIVED:
        return Reason.NEW
    if complaint.adr_rights and complaint.customer_told_at is None:
        return Reason.RUNNING
    return Reason.OTHER


def reason_words(complaint, now=None, *, state=None):
    """Say why a complaint is where it is, as its row in the queue says it (``state`` as for ``reason``)."""
    state = state or clock.state(complaint, now)
    why = reason(complaint, state=state)
    if why != Reason.OTHER:
        return why.label
    if not complaint.adr_rights:
        return "No ADR rights"
    return state.label


def urgency(now):
    """Each complaint's place in the queue at ``now`` (0 first), as an expression to order by.

    The conditions are tried in order, as ``reason`` tries them; every column they read is in
    the open complaints' index (complaint_open_deadline), so a page of the queue is found in
    the index alone.
    """
    open_ = ~Q(status__in=CLOSED_STATUSES)
    ranks = list(Reason)
    return Case(
        When(clock.state_q(ClockState.BREACH, now), then=Value(ranks.index(Reason.BREACH))),
        When(open_ & Q(awaiting_reply_since__isnull=False), then=Value(ranks.index(Reason.CUSTOMER))),
        When(open_ & Q(status=Status.RECEIVED), then=Value(ranks.index(Reason.NEW))),
        When(open_ & Q(adr_rights=True, customer_told_at__isnull=True), then=Value(ranks.index(Reason.RUNNING))),
        default=Value(ranks.index(Reason.OTHER)), output_field=models.IntegerField(),
    )


class View(models.TextChoices):
    MINE = "mine", "Mine"
    UNASSIGNED = "unassigned", "Unassigned"
    REPLIED = "replied", "Customer replied"
    REACHING = "reaching", "Reaching ADR"
    WAITING = "waiting", "Waiting for the customer"
    TOLD = "told", "Customer told (ADR open)"
    ALL = "all", "All"


def view_q(view, *, user, now):
    """The open complaints a named view shows, for ``user`` at ``now``."""
    open_ = ~Q(status__in=CLOSED_STATUSES)
    return open_ & {
        View.MINE: Q(assigned_to=user),
        View.UNASSIGNED: Q(assigned_to__isnull=True),
        View.REPLIED: Q(awaiting_reply_since__isnull=False),
        View.REACHING: clock.reaching_adr_q(now, settings.ADR_WARNING_DAYS),
        View.WAITING: Q(status=Status.AWAITING_CUSTOMER),
        View.TOLD: clock.state_q(ClockState.CUSTOMER_TOLD, now),
        View.ALL: Q(),
    }[view]


def view_title(view):
    """Say what a view holds, as its tab's tooltip says it."""
    if view == View.REACHING:
        return f"ADR opens within {settings.ADR_WARNING_DAYS} days and no letter has been written"
    return View(view).label
