"""The agents' complaint admin: a work queue whose every change goes through a service.

A complaint is never edited through a model form: its page shows the record and offers
the actions the agent may take, each a button posting to a view of its own.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Exists, OuterRef, Subquery
from django.urls import path
from django.utils import timezone

from accounts.admin_site import PortalModelAdmin
from complaints.admin_base import AccessLoggedAdmin, BoundedCountAdmin, BoundedCountPaginator, ReadOnlyAdmin
from complaints.models import AccessKind, Complaint, ComplaintAccess, OutgoingEmail, RootCause
from complaints.tracking import normalise_tracking_number
from desk import (
    bulk,
    changelist,
    complaint_list,
    complaint_page,
    intake,
    merge,
    permissions,
    print_queue,
    queue,
    saved_reply_admin,  # noqa: F401 (registers the saved replies' admin)
)
from mailin.models import InboundMessage, MailStatus
from ombudsman.models import Letter, Referral

# The desk says how many emails wait for review up to this many ("99+" beyond).
MAIL_SHOWN = 99


@admin.register(Complaint)
class ComplaintAdmin(PortalModelAdmin, BoundedCountAdmin):
    list_display = ["tracking_number", "why", "time_left", "status_words", "customer_name", "about", "agent",
                    "days_open", "flags"]
    list_filter = [
        changelist.ViewFilter, changelist.StatusFilter, "product", "category", "channel", changelist.AgentFilter,
        changelist.ClockFilter, changelist.VulnerableFilter, changelist.AdrEligibleFilter,
        changelist.DeadlockRequestedFilter,
    ]
    search_fields = ["customer__email", "customer__full_name"]
    search_help_text = "A tracking number (however it is typed), or the customer's email or name."
    list_select_related = ["customer", "assigned_to"]
    # By deadline; pk makes the order total, so the admin adds no other tie-breaker and the
    # indexes on (adr_opens_at, id) serve it. See get_ordering for the open complaints' queue.
    ordering = ["adr_opens_at", "pk"]
    list_per_page = 50
    actions = [bulk.assign_to_me, bulk.assign_to_agent, bulk.acknowledge, bulk.export_csv]

    class Media:
        css = {"all": ["css/desk.css"]}
        js = ["js/desk.js"]

    # --- the list ----------------------------------------------------------------------

    def get_ordering(self, request):
        # Open complaints (every view) in the queue's order (desk.queue), by deadline within
        # each part; other lists keep the deadline order their indexes serve.
        if changelist.StatusFilter.shows_open_only(request.GET):
            return [queue.urgency(timezone.now()).asc(), "adr_opens_at", "pk"]
        return self.ordering

    def get_queryset(self, request):
        latest_letter = Letter.objects.filter(complaint=OuterRef("pk")).order_by("-letter_date", "-pk")
        referrals = Referral.objects.filter(complaint=OuterRef("pk"))
        # When this agent last opened each complaint (the access log keeps it), for the unread mark.
        seen = ComplaintAccess.objects.filter(complaint=OuterRef("pk"), staff=request.user.pk,
                                              kind=AccessKind.COMPLAINT_PAGE).order_by("-id")
        return super().get_queryset(request).annotate(
            letter_status=Subquery(latest_letter.values("status")[:1]), has_referral=Exists(referrals),
            seen_at=Subquery(seen.values("at")[:1]),
        )

    def changelist_view(self, request, extra_context=None):
        reach = BoundedCountPaginator.reach_for(self.page_number(request), self.list_per_page)
        counts = changelist.view_counts(request.user, reach)
        current = changelist.ViewFilter.current(request.GET)
        views = [{"value": view, "label": view.label, "title": queue.view_title(view), "count": counts[view],
                  "bounded": counts[view] > reach, "selected": view == current} for view in queue.View]
        context = {"title": f"Complaints: {current.label}" if current else "Complaints", "queue_views": views,
                   "queue_reach": reach, "mail_to_review": self.mail_to_review(request)}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def get_changelist(self, request, **kwargs):
        return complaint_list.QueueChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return changelist.QueuePaginator(queryset, per_page, orphans, allow_empty_first_page,
                                         page_number=self.page_number(request))

    def mail_to_review(self, request):
        """Return how many emails received wait for an agent (up to MAIL_SHOWN + 1), or None if not theirs."""
        if not self.admin_site._registry[InboundMessage].has_view_permission(request):
            return None
        return InboundMessage.objects.filter(status=MailStatus.REVIEW).values("pk")[: MAIL_SHOWN + 1].count()

    def get_search_results(self, request, queryset, search_term):
        # Agents type tracking numbers the way customers read them out: accept any spelling.
        canonical = normalise_tracking_number(search_term)
        if canonical:
            return queryset.filter(tracking_number=canonical), False
        # A whole email address is looked up through the unique index (emails are stored in
        # lower case); anything else is matched within emails and names.
        term = search_term.strip()
        try:
            validate_email(term)
        except ValidationError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(customer__email=term.lower()), False

    # The columns' headings and sorting; each row is rendered whole (complaint_list.QueueChangeList.rows).
    why = complaint_list.Column("why here")
    time_left = complaint_list.Column("clock", ordering="adr_opens_at")
    status_words = complaint_list.Column("status", ordering="status")
    customer_name = complaint_list.Column("customer", ordering="customer__full_name")
    about = complaint_list.Column("about")
    agent = complaint_list.Column("agent", ordering="assigned_to__full_name")
    days_open = complaint_list.Column("days open")
    flags = complaint_list.Column("flags")

    # --- permissions -----------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        # The change permission allows the desk's actions; no complaint is edited through a form.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    # The bulk actions' permissions, from the desk's one list.
    def has_assign_permission(self, request):
        return permissions.can(request.user, "assign")

    def has_acknowledge_permission(self, request):
        return permissions.can(request.user, "acknowledge")

    def has_export_permission(self, request):
        return permissions.can(request.user, "export")

    def has_add_permission(self, request):
        return permissions.can(request.user, "log")

    # --- the complaint's page, its actions, and the desk's own pages -------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/act/<slug:action>/", view(self.act_view), name="desk_act"),
            path("<int:pk>/attachments/<int:attachment_id>/", view(self.attachment_view), name="desk_attachment"),
            path("<int:pk>/merge/", view(self.merge_view), name="desk_merge"),
            path("print-queue/", view(self.print_queue_view), name="desk_print_queue"),
            path("print-queue/all/", view(print_queue.print_all), name="desk_print_all"),
            path("print-queue/all.pdf", view(print_queue.print_all_pdf), name="desk_print_all_pdf"),
            path("print-queue/all/posted/", view(print_queue.mark_all_posted), name="desk_print_all_posted"),
            path("print-queue/<slug:source>/<int:pk>.pdf", view(print_queue.pdf), name="desk_print_pdf"),
            path("print-queue/<slug:source>/<int:pk>/posted/", view(print_queue.mark_posted),
                 name="desk_print_posted"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return complaint_page.show(request, self, object_id)

    def act_view(self, request, pk, action):
        return complaint_page.act(request, self, pk, action)

    def merge_view(self, request, pk):
        return merge.merge_view(request, self, pk)

    def attachment_view(self, request, pk, attachment_id):
        return complaint_page.attachment(request, pk, attachment_id)

    def add_view(self, request, form_url="", extra_context=None):
        return intake.log_complaint(request, self)

    def print_queue_view(self, request):
        return print_queue.queue(request, self)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(PortalModelAdmin, AccessLoggedAdmin, BoundedCountAdmin, ReadOnlyAdmin):
    """Emails are read-only: the outbox sends and retries them. Opening one is logged."""

    access_kind = AccessKind.EMAIL

    list_display = ["created_at", "kind", "to", "subject", "complaint", "status", "attempts",
                    "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "complaint__tracking_number"]
    list_select_related = ["complaint"]
    # Newest first by id (indexed), counted only a few pages ahead, like the complaint list.
    ordering = ["-pk"]
    readonly_fields = ["kind", "complaint", "to", "reply_to", "subject", "text_body", "message_id", "status",
                       "attempts", "next_attempt_at", "last_error", "created_at", "sent_at"]
    exclude = ["html_body"]


@admin.register(RootCause)
class RootCauseAdmin(PortalModelAdmin):
    """The root causes agents choose from; managers keep the list, and retire rather than delete."""

    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False
