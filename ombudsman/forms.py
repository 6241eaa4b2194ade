from decimal import Decimal

from django import forms

from ombudsman.models import Decision, Referral


class ReferralForm(forms.ModelForm):
    """The customer's record that they took their complaint to the scheme."""

    referred_on = forms.DateField(
        label="When did you contact the scheme?",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    case_reference = forms.CharField(
        label="The scheme's case reference (if they gave you one)", max_length=60, required=False,
    )

    class Meta:
        model = Referral
        fields = ["referred_on", "case_reference"]


def _date(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _reason():
    return forms.CharField(label="Why it is corrected", max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Kept with the old and new values in the timeline, for staff only.")


class SchemeAcceptanceForm(forms.Form):
    accepted_on = _date("The scheme accepted the case on")
    case_reference = forms.CharField(label="The scheme's case reference", max_length=60, required=False)


class CaseReferenceForm(forms.Form):
    case_reference = forms.CharField(label="The scheme's case reference", max_length=60, required=False)


class DecisionForm(forms.Form):
    """The scheme's decision and the remedies it set (ombudsman.services.record_decision)."""

    decision = forms.ChoiceField(choices=Decision.choices)
    decision_on = _date("Decision date")
    remedy_apology = forms.BooleanField(label="Remedy: apology", required=False)
    remedy_explanation = forms.BooleanField(label="Remedy: explanation", required=False)
    remedy_action = forms.CharField(label="Remedy: practical action", max_length=10_000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    award_amount = forms.DecimalField(label="Money award (£)", min_value=Decimal("0"), max_digits=10,
                                      decimal_places=2, initial=Decimal("0.00"))


class CustomerAcceptanceForm(forms.Form):
    customer_accepted_on = _date("The customer accepted the decision on")


class CustomerRejectionForm(forms.Form):
    customer_rejected_on = _date("The customer turned the decision down on")


class ComplianceForm(forms.Form):
    complied_on = _date("We did what the decision required on")


class CorrectDecisionForm(DecisionForm):
    """A manager's correction of the scheme's recorded decision (ombudsman.services.correct_decision)."""

    reason = _reason()


class CorrectCustomerAcceptanceForm(CustomerAcceptanceForm):
    """A manager's correction of the day the customer accepted the decision."""

    reason = _reason()
