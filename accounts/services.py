"""Account workflows that reach the customer: one-time links to set a password."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from complaints import outbox
from complaints.models import EmailKind


def is_claimable(user):
    """Say whether signing up with this user's email may claim the record.

    Only a customer record staff created, still without a password, can be claimed; staff
    accounts and deactivated records never can.
    """
    return bool(user.email) and user.is_active and not user.is_staff and not user.has_usable_password()


def password_link(user):
    """Return an absolute link that lets the user set a password once.

    The token is Django's: it stops working once the password changes, and after
    PASSWORD_RESET_TIMEOUT.
    """
    path = reverse("accounts:password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    })
    return outbox.absolute_url(path)


def _queue_password_link(*, user, template):
    return outbox.queue_email(
        kind=EmailKind.OTHER, to=user.email, template=template,
        context={
            "user": user,
            "link": password_link(user),
            "link_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
        },
    )


@transaction.atomic
def send_claim_link(*, user):
    """Email the owner of a staff-created record a link to set their first password.

    Nothing is revealed to whoever typed the address: only the mailbox's owner can follow
    the link, and only then does the record become an account they can log in to.
    """
    return _queue_password_link(user=user, template="accounts/email/claim")


@transaction.atomic
def send_password_reset_link(*, user):
    """Email an account's owner a link to choose a new password."""
    return _queue_password_link(user=user, template="registration/email/password_reset")
