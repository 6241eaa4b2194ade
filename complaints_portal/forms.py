from django import forms

from complaints_portal import code_of_practice


class CodeOfPracticeRequestForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        if code_of_practice.copies_sent_recently(email) >= code_of_practice.COPIES_PER_ADDRESS_PER_DAY:
            raise forms.ValidationError(
                f"We have already sent {code_of_practice.COPIES_PER_ADDRESS_PER_DAY} copies to this address "
                "in the last 24 hours. Please check your inbox and spam folder, or try again tomorrow."
            )
        return email
