"""Merging a duplicate into a complaint, from the complaint's page on the desk.

The agent types the other complaint's tracking number and reads what merging will do: both
complaints side by side, the date received and ADR date that result, and the message the
customer will be sent, as they will read it. A POST confirms. The service
(``complaints.services.merging``) decides what is allowed; a refusal comes back on the
tracking number, with what the agent typed kept. A confirmation sent twice merges once: the
second is told it is done.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from complaints import access, services
from complaints.models import AccessKind, Complaint
from complaints.tracking import normalise_tracking_number
from desk import permissions


class MergeForm(forms.Form):
    tracking_number = forms.CharField(
        label="Tracking number of the duplicate", max_length=40,
        help_text="The same customer's other complaint about the same matter. It is merged into this one.",
    )

    def clean_tracking_number(self):
        canonical = normalise_tracking_number(self.cleaned_data["tracking_number"])
        if canonical is None:
            raise ValidationError("Check the tracking number: it looks like LMI-ABCD-1234.")
        self.duplicate = Complaint.objects.select_related("customer").filter(tracking_number=canonical).first()
        if self.duplicate is None:
            raise ValidationError(f"There is no complaint {canonical}.")
        return canonical


def merge_view(request, model_admin, pk):
    """Show the form, then the preview of a merge (GET); merge on confirmation (POST)."""
    if not permissions.can(request.user, "merge"):
        raise PermissionDenied
    survivor = get_object_or_404(model_admin.get_queryset(request).select_related("customer", "assigned_to"), pk=pk)
    if request.method == "POST":
        return _merge(request, model_admin, survivor)
    form = MergeForm(request.GET if "tracking_number" in request.GET else None)
    preview = None
    if form.is_valid():
        try:
            services.check_merge(survivor=survivor, duplicate=form.duplicate)
        except ValidationError as error:
            form.add_error("tracking_number", error)
        else:
            preview = services.preview_merge(survivor=survivor, duplicate=form.duplicate)
            # The preview shows both complaints' data.
            access.record_access(staff=request.user, kind=AccessKind.COMPLAINT_PAGE,
                                 complaint_ids=[survivor.pk, form.duplicate.pk])
    return _page(request, model_admin, survivor, form, preview)


def _merge(request, model_admin, survivor):
    form = MergeForm(request.POST)
    if form.is_valid():
        duplicate = form.duplicate
        try:
            services.merge_complaints(survivor=survivor, duplicate=duplicate, actor=request.user)
        except ValidationError as error:
            if error.code != "already_merged":
                form.add_error("tracking_number", error)
                return _page(request, model_admin, survivor, form, None)
            # The same confirmation sent again: the first one merged them.
            messages.info(request, error.message)
        else:
            messages.success(request, f"{duplicate.tracking_number} is merged into this complaint; the customer is "
                                      "told which tracking number to use.")
        return redirect("admin:complaints_complaint_change", survivor.pk)
    return _page(request, model_admin, survivor, form, None)


def _page(request, model_admin, survivor, form, preview):
    return TemplateResponse(request, "admin/desk/merge.html", {
        **model_admin.admin_site.each_context(request),
        "opts": Complaint._meta,
        "title": f"Merge a duplicate into {survivor.tracking_number}",
        "complaint": survivor,
        "form": form,
        "duplicate": form.duplicate if preview else None,
        "pair": (survivor, form.duplicate) if preview else (),
        "preview": preview,
    })
