"""Customers' forms. Sign-up, the profile page and the admin share one set of rules."""

import re

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services
from accounts.models import ADR_MAX_BUSINESS_WORKERS, CustomerType, PreferredContact, PreferredFormat, User

CUSTOMER_FIELDS = (
    "full_name", "phone", "address", "postcode",
    "customer_type", "business_name", "business_workers", "preferred_contact",
    "accessibility_needs", "vulnerable", "vulnerability_notes", "preferred_format",
)
UK_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2})$")
PHONE = re.compile(r"^\+?[0-9 ()-]+$")


# What staff tick when they record support needs for a customer (the admin, the desk's intake).
STAFF_CONSENT_LABEL = "The customer has given explicit consent to keep these support needs."


class CustomerDetailsForm(forms.ModelForm):
    """A customer's details and the rules they must meet, whoever types them.

    A business gives its name and size (the size decides its ADR rights); letters by post
    need an address; support needs are kept only while the customer's consent is on record,
    and withdrawing consent erases them.
    """

    business_workers = forms.IntegerField(
        label="Number of workers (businesses only)", required=False, min_value=1,
        help_text=f"Count everyone: owners, employees and volunteers. Businesses with "
                  f"{ADR_MAX_BUSINESS_WORKERS} or fewer workers have the right to take an unresolved "
                  f"complaint to the independent ombudsman (ADR), free of charge.",
    )
    support_consent = forms.BooleanField(
        required=False,
        label="I agree that you may keep the support needs I give here and use them to handle my complaints.",
        help_text="You can withdraw your consent at any time on your details page; "
                  "we then erase these support needs.",
    )
    # What the rules say when they refuse, here to the customer: a form staff fill in for a
    # customer says the same in its own words (desk.intake.NewCustomerForm).
    rule_messages = {
        "address_for_post": "To get letters by post, give a postal address.",
        "postcode_for_post": "To get letters by post, give a postcode.",
        "post_without_email": "Without an email address, letters can only go by post.",
        "format_unnamed": "Tell us which format you need.",
        "support_needs_without_consent": "We can only keep support needs with your consent. Tick the box to agree, "
                                         "or clear the support needs you gave.",
    }

    class Meta:
        model = User
        fields = CUSTOMER_FIELDS
        labels = {
            "full_name": "Full name",
            "phone": "Phone number",
            "address": "Postal address",
            "customer_type": "Are you a domestic customer or a business?",
            "business_name": "Business name (businesses only)",
            "preferred_contact": "How should we send you letters and updates?",
            "accessibility_needs": "Accessibility needs",
            "vulnerable": "My circumstances make it harder for me to deal with a complaint "
                          "(for example illness, disability, bereavement or money worries)",
            "vulnerability_notes": "Anything you would like us to know about your circumstances",
            "preferred_format": "Format for our letters",
        }
        help_texts = {
            "phone": "Optional. A number we can call you on.",
            "address": "Needed if you want letters by post.",
            "accessibility_needs": "For example large print, a screen reader, phone calls instead of "
                                   "letters, or more time to reply.",
        }
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "customer_type": forms.RadioSelect,
            "preferred_contact": forms.RadioSelect,
            "preferred_format": forms.RadioSelect,
            "accessibility_needs": forms.Textarea(attrs={"rows": 3}),
            "vulnerability_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.had_support_consent = self.instance.has_support_consent
        self.fields["support_consent"].initial = self.had_support_consent

    def clean_email(self):
        # Stored in lower case (see User.save), so compare in lower case too.
        return User.objects.normalize_email(self.cleaned_data.get("email")) or None

    def clean_postcode(self):
        postcode = re.sub(r"\s+", "", self.cleaned_data.get("postcode", "")).upper()
        if not postcode:
            return ""
        if not UK_POSTCODE.match(postcode):
            raise ValidationError("Enter a UK postcode, for example SW1A 1AA.")
        return f"{postcode[:-3]} {postcode[-3:]}"

    def clean_phone(self):
        phone = " ".join(self.cleaned_data.get("phone", "").split())
        if phone and (not PHONE.match(phone) or not 7 <= sum(c.isdigit() for c in phone) <= 15):
            raise ValidationError("Enter a phone number of 7 to 15 digits, for example 0113 496 0000.")
        return phone

    def clean(self):
        cleaned = super().clean()
        self._clean_business(cleaned)
        self._clean_contact(cleaned)
        self._clean_support_needs(cleaned)
        return cleaned

    def _clean_business(self, cleaned):
        if cleaned.get("customer_type") != CustomerType.BUSINESS:
            # Only a business has a name and a size; a stale size must not decide ADR rights.
            cleaned["business_name"] = ""
            cleaned["business_workers"] = None
            return
        if not cleaned.get("business_name"):
            self.add_error("business_name", "Give the business's name.")
        if cleaned.get("business_workers") is None and "business_workers" not in self.errors:
            self.add_error(
                "business_workers",
                f"Give the number of people who work for the business. We need it because businesses "
                f"with {ADR_MAX_BUSINESS_WORKERS} or fewer workers have the right to take complaints to "
                f"the ombudsman (ADR).",
            )

    def _clean_contact(self, cleaned):
        contact = cleaned.get("preferred_contact")
        if contact == PreferredContact.POST:
            if not cleaned.get("address"):
                self.add_error("address", self.rule_messages["address_for_post"])
            if not cleaned.get("postcode") and "postcode" not in self.errors:
                self.add_error("postcode", self.rule_messages["postcode_for_post"])
        elif contact == PreferredContact.EMAIL and "email" not in self.errors:
            email = cleaned.get("email") if "email" in self.fields else self.instance.email
            if not email:
                self.add_error("preferred_contact", self.rule_messages["post_without_email"])

    def _clean_support_needs(self, cleaned):
        if cleaned.get("support_consent"):
            if cleaned.get("preferred_format") == PreferredFormat.OTHER and not cleaned.get("accessibility_needs"):
                self.add_error("accessibility_needs", self.rule_messages["format_unnamed"])
            return
        if self.withdraws_support_consent:
            return  # save() erases the details, whatever the fields still hold
        given = (
            cleaned.get("accessibility_needs", "").strip() or cleaned.get("vulnerable")
            or cleaned.get("vulnerability_notes", "").strip()
            or cleaned.get("preferred_format") not in (None, "", PreferredFormat.STANDARD)
        )
        if given:
            self.add_error("support_consent", self.rule_messages["support_needs_without_consent"])

    @property
    def withdraws_support_consent(self):
        return self.had_support_consent and not self.cleaned_data.get("support_consent")

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("support_consent"):
            user.support_consent_at = user.support_consent_at or timezone.now()
        else:
            user.withdraw_support_consent()
        if commit:
            user.save()
            self.save_m2m()
        return user


class SignUpForm(auth_forms.BaseUserCreationForm, CustomerDetailsForm):
    """A customer's sign-up: their login and details, checked the same whoever holds the address.

    The form never says whether the address belongs to someone: that would tell anyone whether
    a person (staff included) has an account. What happens to a valid form depends on the
    address, and only its owner learns what, by email (accounts.services.sign_up).
    """

    email = forms.EmailField(
        label="Email address", max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="You log in with it, and we send updates to it.",
    )
    password1, password2 = auth_forms.SetPasswordMixin.create_password_fields(
        label1="Choose a password", label2="Type the password again"
    )

    class Meta(CustomerDetailsForm.Meta):
        fields = ("email", *CUSTOMER_FIELDS)

    def clean_email(self):
        # As the log-in form reads it, so the address found here is the one that logs in.
        return User.objects.normalize_email(super().clean_email())

    def validate_unique(self):
        # Every uniqueness check but the address's, which would answer "already exists".
        exclude = self._get_validation_exclusions() | {"email"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class ConfirmationLinkForm(forms.Form):
    """Ask for a new link to confirm a sign-up's address (or whatever else signing up would send)."""

    email = forms.EmailField(
        label="Email address", max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="The address you signed up with.",
    )


class LoginForm(auth_forms.AuthenticationForm):
    """Django's log-in form, whose one error also covers a sign-up not yet confirmed.

    An account awaiting confirmation is inactive, and Django's backend refuses it after
    checking the password as for any other: the form says the same for a right password as for
    a wrong one, and the same for every account, so the hint reveals nothing.
    """

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": "Please enter a correct %(username)s and password. If you have just signed up, "
                         "first confirm your address: follow the link in the email we sent you.",
    }


class ProfileForm(CustomerDetailsForm):
    """Let a customer change their details (not their email, which is their login)."""


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Queue the reset link in the outbox, so a mail outage delays it but never loses it."""

    def save(self, **kwargs):
        # Django's own user selection: active users with a usable password. A customer
        # record without one is claimed through sign-up instead.
        for user in self.get_users(self.cleaned_data["email"]):
            services.send_password_reset_link(user=user)
