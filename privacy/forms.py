from django import forms


class CloseAccountForm(forms.Form):
    """Confirm closing an account with the password; optionally withdraw open complaints too."""

    password = forms.CharField(
        label="Your password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To be sure it is you.",
    )
    withdraw_open = forms.BooleanField(
        required=False, label="Also withdraw my open complaints: I no longer want you to look into them.",
    )

    def __init__(self, *args, customer, open_complaints, **kwargs):
        """``open_complaints`` is how many open complaints the customer has (the box only shows with some)."""
        super().__init__(*args, **kwargs)
        self.customer = customer
        if not open_complaints:
            del self.fields["withdraw_open"]
        elif open_complaints == 1:
            self.fields["withdraw_open"].label = (
                "Also withdraw my open complaint: I no longer want you to look into it."
            )

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.customer.check_password(password):
            raise forms.ValidationError("That is not your password. Type it again.", code="wrong_password")
        return password
