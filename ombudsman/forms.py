from django import forms

from ombudsman.models import Referral


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
