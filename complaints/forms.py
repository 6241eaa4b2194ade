from django import forms
from django.utils.crypto import constant_time_compare
from django.utils.functional import cached_property

import clock
from complaints.models import Category, Complaint
from complaints.tracking import normalise_tracking_number
from complaints.uploads import MultipleFileField, limits_in_words

# The categories a statement date matters for (the Code's 30 days for billing discrepancies).
BILLING_CATEGORIES = (Category.BILLING_DISCREPANCY, Category.REFUND)


class AttachmentsMixin:
    """A form with an ``attachments`` field, which browsers cannot refill after an error.

    The field says the upload rules up front (how many files, how big, which types), from the
    settings that enforce them.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = (
            f"Optional. {limits_in_words()} For example, a bill or a screenshot."
        )

    @cached_property
    def files_to_choose_again(self):
        """Return the names of the files chosen for a form that failed, and so were not kept."""
        if not self.is_bound or not self.errors:
            return []
        return [file.name for file in self.files.getlist(self.add_prefix("attachments")) if file]


class ComplaintForm(AttachmentsMixin, forms.ModelForm):
    """A customer's new complaint. The service creates it; the model gives labels and choices."""

    description = forms.CharField(
        label="What went wrong?", max_length=10_000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Tell us what happened and when, in your own words.",
    )
    desired_outcome = forms.CharField(
        label="What would you like us to do?", max_length=5_000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: fix the fault, refund a charge, or an apology.",
    )
    statement_date = forms.DateField(
        label="Date of the statement (billing complaints)", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Optional, but it helps us find the bill. Our Code asks for billing discrepancies within "
                  "30 days of the statement; we will look into yours whatever the date.",
    )
    attachments = MultipleFileField()

    class Meta:
        model = Complaint
        fields = ["product", "category", "description", "desired_outcome", "statement_date"]
        labels = {"product": "Which product or service is it about?", "category": "What kind of problem is it?"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # static/js/complaint-form.js shows the statement date only for these categories.
        self.fields["category"].widget.attrs["data-billing-categories"] = " ".join(BILLING_CATEGORIES)

    def clean_statement_date(self):
        statement_date = self.cleaned_data["statement_date"]
        if statement_date and statement_date > clock.uk_today():
            raise forms.ValidationError("The statement date can’t be in the future.")
        return statement_date

    def clean(self):
        cleaned_data = super().clean()
        # A date left in the hidden field after switching category would flag the complaint wrongly.
        if cleaned_data.get("category") not in BILLING_CATEGORIES:
            cleaned_data["statement_date"] = None
        return cleaned_data


class ReplyForm(AttachmentsMixin, forms.Form):
    body = forms.CharField(label="Your reply", max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField()


class RejectResolutionForm(forms.Form):
    reason = forms.CharField(
        label="Why doesn’t this resolve your complaint?", max_length=5_000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your complaint stays open and goes back to the person handling it.",
    )


class DeadlockRequestForm(forms.Form):
    reason = forms.CharField(
        label="Why do you want a deadlock letter? (optional)", required=False, max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing it? (optional)", required=False, max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label="Yes, withdraw this complaint",
        error_messages={"required": "Tick the box to confirm you want to withdraw this complaint."},
    )


class TrackForm(forms.Form):
    tracking_number = forms.CharField(
        max_length=40, help_text="It looks like LMI-ABCD-1234 and is in the email we sent you.",
    )
    email = forms.EmailField(label="Your email address", help_text="The one you gave us with your complaint.")

    def clean_tracking_number(self):
        tracking_number = normalise_tracking_number(self.cleaned_data["tracking_number"])
        if tracking_number is None:
            raise forms.ValidationError(
                "Please check the tracking number: it looks like LMI-ABCD-1234 and is in the email we sent you."
            )
        return tracking_number

    def clean(self):
        cleaned_data = super().clean()
        tracking_number, email = cleaned_data.get("tracking_number"), cleaned_data.get("email")
        if tracking_number and email:
            self.complaint = find_complaint(tracking_number, email)
            if self.complaint is None:
                # One message for every mismatch, so the form never tells which part was wrong.
                raise forms.ValidationError(TRACK_NOT_FOUND, code="not_found")
        return cleaned_data


TRACK_NOT_FOUND = (
    "We couldn’t find a complaint with those details. Check the tracking number and use the email "
    "address you gave us with your complaint."
)


def find_complaint(tracking_number, email):
    """Return the complaint with this tracking number if its customer's email is this one."""
    complaint = Complaint.objects.select_related("customer").filter(tracking_number=tracking_number).first()
    on_record = (complaint.customer.email or "") if complaint else ""
    # Compare even when there is no such complaint, so timing says no more than the message.
    matches = constant_time_compare(on_record, email.strip().lower())
    return complaint if on_record and matches else None
