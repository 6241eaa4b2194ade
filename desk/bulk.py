"""Bulk actions on the complaint list: assign, acknowledge, export.

Status changes other than acknowledging are never bulk: each has its own rules and its
own message to the customer, so they are taken one complaint at a time.
"""

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

import clock
from common.spreadsheets import safe_text
from complaints import access, services
from complaints.models import AccessKind, Status
from desk import permissions, queue
from desk.changelist import clock_badge, days_open, staff_for_assignment
from ombudsman.models import LetterStatus

EXPORT_COLUMNS = [
    "Tracking number", "Customer", "Customer email", "Product", "Category", "How it arrived", "Status",
    "Assigned to", "Received", "ADR opens", "Days open", "Clock", "Vulnerable", "Latest letter", "Deadlock",
    "Ombudsman referral",
]


def _assign_each(request, queryset, agent):
    assigned = refused = 0
    for complaint in queryset.select_related(None).only("pk", "assigned_to"):
        if permissions.may_assign(request.user, complaint):
            services.assign_complaint(complaint=complaint, agent=agent, actor=request.user)
            assigned += 1
        else:
            refused += 1
    who = agent.full_name if agent else "nobody"
    messages.success(request, f"{assigned} complaint(s) assigned to {who}.")
    if refused:
        messages.warning(request, f"{refused} complaint(s) held by another agent were left alone: "
                                  "only a complaint manager can take them.")


@admin.action(description="Assign the selected complaints to me", permissions=["assign"])
def assign_to_me(model_admin, request, queryset):
    _assign_each(request, queryset, request.user)


class BulkAssignForm(forms.Form):
    agent = forms.ModelChoiceField(queryset=None, label="Assign to", empty_label="Choose an agent")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = staff_for_assignment()


# The agent is chosen on a page of its own, which carries the selected complaints' ids.
MAX_ASSIGN_AT_ONCE = 500


@admin.action(description="Assign the selected complaints to an agent…", permissions=["assign"])
def assign_to_agent(model_admin, request, queryset):
    pks = list(queryset.values_list("pk", flat=True)[: MAX_ASSIGN_AT_ONCE + 1])
    if len(pks) > MAX_ASSIGN_AT_ONCE:
        messages.error(request, f"Assign at most {MAX_ASSIGN_AT_ONCE} complaints at once.")
        return None
    form = BulkAssignForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        _assign_each(request, queryset, form.cleaned_data["agent"])
        return None
    return TemplateResponse(request, "admin/desk/bulk_assign.html", {
        **model_admin.admin_site.each_context(request),
        "title": "Assign complaints to an agent",
        "opts": model_admin.model._meta,
        "form": form,
        "pks": pks,
        "tracking_numbers": queryset.order_by("tracking_number").values_list("tracking_number", flat=True),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    })


@admin.action(description="Acknowledge the selected complaints", permissions=["acknowledge"])
def acknowledge(model_admin, request, queryset):
    done = skipped = 0
    for complaint in queryset.select_related(None).only("pk", "status"):
        if complaint.can_move_to(Status.ACKNOWLEDGED):
            services.change_status(complaint=complaint, to=Status.ACKNOWLEDGED, actor=request.user)
            done += 1
        else:
            skipped += 1
    messages.success(request, f"{done} complaint(s) acknowledged.")
    if skipped:
        messages.info(request, f"{skipped} complaint(s) were already past acknowledgement and were left alone.")


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    return safe_text("" if value is None else str(value))


def _rows(queryset):
    now = timezone.now()
    yield EXPORT_COLUMNS
    for complaint in queryset.iterator(chunk_size=2000):
        customer = complaint.customer
        letter = LetterStatus(complaint.letter_status).label if complaint.letter_status else ""
        yield [_cell(value) for value in (
            complaint.tracking_number, customer.full_name, customer.email, complaint.get_product_display(),
            complaint.get_category_display(), complaint.get_channel_display(), queue.status_label(complaint.status),
            complaint.assigned_to.full_name if complaint.assigned_to else "",
            clock.uk_time(complaint.received_at).strftime("%Y-%m-%d %H:%M"),
            complaint.adr_deadline_date.isoformat(), days_open(complaint, now), clock_badge(complaint, letter, now)[1],
            "yes" if customer.vulnerable and customer.has_support_consent else "no",
            letter, "yes" if complaint.deadlock_at else "no",
            "yes" if complaint.has_referral else "no",
        )]


@admin.action(description="Export the selected complaints as CSV", permissions=["export"])
def export_csv(model_admin, request, queryset):
    access.record_access(staff=request.user, kind=AccessKind.EXPORT,
                                  complaint_ids=queryset.values_list("pk", flat=True))
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in _rows(queryset)), content_type="text/csv")
    stamp = clock.uk_time(timezone.now()).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="complaints-{stamp}.csv"'
    return response
