"""The small forms behind the buttons on a complaint's page in the admin."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from clock import uk_today
from complaints.models import RootCause, Upheld
from complaints.services import check_outcome
from desk.changelist import staff_for_assignment
from ombudsman.models import Decision

TEXT = {"max_length": 10_000}


def _text(label, rows=4, **kwargs):
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **TEXT, **kwargs)


def _date(label, **kwargs):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(queryset=None, label="Assign to", empty_label="Nobody (unassign)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = staff_for_assignment()


class ConfirmForm(forms.Form):
    """An action with nothing to fill in: the button is the confirmation."""


class MessageForm(forms.Form):
    body = _text("Message to the customer", help_text="Shown on their complaint page and sent to them.")


class NoteForm(forms.Form):
    body = _text("Internal note", rows=3, help_text="Only staff see it.")


class AnsweredForm(forms.Form):
    note = _text("How you answered them", rows=2, help_text="For example: “Rang her at 10:15 and explained the "
                 "refund.” Only staff see it; the customer is sent nothing.")


class OutcomeForm(forms.Form):
    """How a complaint is resolved, recorded for the customer and for the reports."""

    upheld = forms.ChoiceField(label="Upheld?", choices=[("", "Choose whether it was upheld"), *Upheld.choices])
    root_cause = forms.ModelChoiceField(queryset=RootCause.objects.filter(is_active=True), label="Root cause",
                                        empty_label="Choose a root cause")
    apology = forms.BooleanField(label="Remedy: apology", required=False)
    explanation = forms.BooleanField(label="Remedy: explanation", required=False)
    credit_amount = forms.DecimalField(label="Remedy: credit (£)", min_value=Decimal("0"), max_digits=10,
                                       decimal_places=2, initial=Decimal("0.00"))
    refund_amount = forms.DecimalField(label="Remedy: refund (£)", min_value=Decimal("0"), max_digits=10,
                                       decimal_places=2, initial=Decimal("0.00"))

    def outcome(self):
        data = self.cleaned_data
        return {name: data[name] for name in ("upheld", "root_cause", "apology", "explanation",
                                              "credit_amount", "refund_amount")}

    def clean(self):
        """Refuse an outcome that contradicts itself, with the service's message on the field at fault.

        The rule is the service's (complaints.services.check_outcome), which refuses it anyway;
        here it only comes back on the form, with what the agent chose.
        """
        data = super().clean()
        if not self.errors:
            try:
                check_outcome(**self.outcome())
            except ValidationError as error:
                self.add_error(None, error)
        return data


class ProposeForm(OutcomeForm):
    proposal = _text("Proposed resolution", help_text="The customer accepts or rejects it on their page.")
    field_order = ["proposal"]


class ResolveForm(OutcomeForm):
    summary = _text("Final answer", help_text="Sent to the customer with how to take it to the ombudsman.")
    field_order = ["summary"]


class ReasonForm(forms.Form):
    reason = _text("Reason", rows=3)


class DeadlockForm(forms.Form):
    reason = _text("Our final position", rows=3, help_text="Quoted in the deadlock letter the customer is sent.")


class ReceivedDateForm(forms.Form):
    received_at = forms.DateTimeField(
        label="First complained at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                format="%Y-%m-%dT%H:%M"),
        help_text="When the customer first complained, if before the date recorded. The day ADR opens never "
                  "moves later: a date that would move it is refused.",
    )
    reason = _text("Why it changes", rows=2, help_text="Kept in the timeline for audit.")

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        if received_at > timezone.now():
            raise forms.ValidationError("The date the customer first complained cannot be in the future.")
        return received_at


class ReferralForm(forms.Form):
    referred_on = _date("Referred to the scheme on", initial=uk_today)
    case_reference = forms.CharField(label="Scheme's case reference", max_length=60, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("", "Choose the decision"), *Decision.choices])
    decided_on = _date("Decision date", initial=uk_today)
    apology = forms.BooleanField(label="Remedy: apology", required=False)
    explanation = forms.BooleanField(label="Remedy: explanation", required=False)
    action = _text("Remedy: practical action", rows=2, required=False)
    award_amount = forms.DecimalField(label="Money award (£)", min_value=Decimal("0"), max_digits=10,
                                      decimal_places=2, initial=Decimal("0.00"))
