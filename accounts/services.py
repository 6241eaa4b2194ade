"""Account workflows that reach the customer: confirming a sign-up's address, one-time links
to set a password."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from complaints import outbox
from complaints.models import EmailKind

log = logging.getLogger(__name__)

CONFIRMATION_SALT = "accounts.sign-up-confirmation"


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


# --- signing up: the address is confirmed before the account can log in ----------------------


def confirmation_lifetime():
    return timedelta(hours=settings.SIGNUP_CONFIRMATION_HOURS)


def _confirmation_state(user):
    """Return a digest of what changes once a confirmation link has done its work or lost it.

    Confirming the account changes it, and so does a newer sign-up for the address (another
    password) or closing the account: a link works once, and only for the sign-up it was sent for.
    """
    state = f"{user.pk}|{user.email}|{user.password}|{user.is_active}|{user.awaiting_confirmation}"
    return salted_hmac(CONFIRMATION_SALT, state).hexdigest()[:32]


def confirmation_token(user):
    """Return the signed, timestamped token of a confirmation link for a sign-up awaiting it."""
    return signing.TimestampSigner(salt=CONFIRMATION_SALT).sign(f"{user.pk}.{_confirmation_state(user)}")


def confirmation_link(user):
    return outbox.absolute_url(reverse("accounts:confirm_sign_up", kwargs={"token": confirmation_token(user)}))


class ConfirmationLinkError(Exception):
    """A confirmation link that did not work, and why: "expired", "used" or "invalid".

    ``user`` is the account a used link was sent for, if it still exists.
    """

    def __init__(self, reason, user=None):
        super().__init__(reason)
        self.reason, self.user = reason, user


def _send_confirmation_link(user):
    return outbox.queue_email(
        kind=EmailKind.OTHER, to=user.email, template="accounts/email/confirm_sign_up",
        context={"link": confirmation_link(user), "link_hours": settings.SIGNUP_CONFIRMATION_HOURS},
    )


def _send_account_exists(user):
    return outbox.queue_email(
        kind=EmailKind.OTHER, to=user.email, template="accounts/email/account_exists",
        context={
            "user": user,
            "login_link": outbox.absolute_url(reverse("accounts:login")),
            "reset_link": outbox.absolute_url(reverse("accounts:password_reset")),
        },
    )


@transaction.atomic
def sign_up(form):
    """Act on a valid sign-up form. Whatever happens here, whoever sent it is told the same.

    - A new address: the account is saved, inactive and awaiting confirmation, and the address
      gets a link that confirms it and logs in. Nothing with personal data goes to an address
      before that: an account that cannot log in cannot complain.
    - An address whose sign-up awaits confirmation: this sign-up replaces that one whole, and the
      link goes out again; earlier links stop working. Resending that sign-up's link instead
      would let whoever signed up first with someone else's address choose the password of the
      account its owner later confirms.
    - An unclaimed record staff made: its owner gets the link to set a password; nothing typed
      here is applied to it.
    - Anyone else's account (a customer's or staff's): its owner is told someone tried, with
      links to log in or reset the password. A closed account gets nothing.
    """
    purge_stale_sign_ups()
    email = form.cleaned_data["email"]
    existing = User.objects.select_for_update().filter(email=email).first()
    if existing is None or existing.awaiting_confirmation:
        user = form.save(commit=False)  # hashes the password
        user.is_active, user.awaiting_confirmation = False, True
        user.date_joined = timezone.now()
        try:
            with transaction.atomic():
                if existing is None:
                    user.save(force_insert=True)
                else:
                    user.pk = existing.pk
                    user.save(force_update=True)
        except IntegrityError:
            return  # the same address signed up a moment ago, in another request: its link is on its way
        _send_confirmation_link(user)
        return
    # As much work as a sign-up that saves an account, so the time taken tells nothing either.
    make_password(form.cleaned_data["password1"])
    if is_claimable(existing):
        send_claim_link(user=existing)
    elif existing.is_active:
        _send_account_exists(existing)


@transaction.atomic
def resend_confirmation_link(*, email):
    """Email an address what signing up again would: a new link, a claim link, or a reminder.

    Nothing goes to an address we do not hold, and the caller is told the same either way.
    """
    user = User.objects.select_for_update().filter(email=User.objects.normalize_email(email)).first()
    if user is None:
        return
    if user.awaiting_confirmation:
        # The sign-up lives as long as its latest link.
        User.objects.filter(pk=user.pk).update(date_joined=timezone.now())
        _send_confirmation_link(user)
    elif is_claimable(user):
        send_claim_link(user=user)
    elif user.is_active:
        _send_account_exists(user)


def _linked_account_id(token):
    """Return the account id and state a link names, or raise ConfirmationLinkError."""
    signer = signing.TimestampSigner(salt=CONFIRMATION_SALT)
    try:
        value = signer.unsign(token, max_age=confirmation_lifetime())
    except signing.SignatureExpired:
        raise ConfirmationLinkError("expired") from None
    except (signing.BadSignature, ValueError):
        raise ConfirmationLinkError("invalid") from None
    pk, _, state = value.partition(".")
    return pk, state


def check_confirmation_link(token):
    """Return the account a sign-up's link would confirm, changing nothing (ConfirmationLinkError if none)."""
    pk, state = _linked_account_id(token)
    user = User.objects.filter(pk=pk, is_staff=False).first()
    if user is None or not user.awaiting_confirmation or not constant_time_compare(state, _confirmation_state(user)):
        raise ConfirmationLinkError("used", user=user)
    return user


def confirm_sign_up(token):
    """Confirm the address a sign-up gave, making the account active; return the account.

    Raise ConfirmationLinkError if the link is not one we made, is too old, or was used (or
    replaced by a newer sign-up). Staff accounts are never confirmed by link.
    """
    pk, state = _linked_account_id(token)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=pk, is_staff=False).first()
        if (user is None or not user.awaiting_confirmation
                or not constant_time_compare(state, _confirmation_state(user))):
            raise ConfirmationLinkError("used", user=user)
        user.is_active, user.awaiting_confirmation = True, False
        user.date_joined = timezone.now()
        user.save(update_fields=["is_active", "awaiting_confirmation", "date_joined"])
    return user


def purge_stale_sign_ups(now=None, limit=50):
    """Delete sign-ups whose link expired unconfirmed (at most ``limit``, None for all); return how many.

    Nobody showed the address was theirs. A new sign-up clears a few; the daily retention job
    clears the rest.

    Their details (support needs included) are kept no longer than the link. One held by a
    record (a complaint staff logged for it) stays.
    """
    cutoff = (now or timezone.now()) - confirmation_lifetime()
    stale = (User.objects.filter(awaiting_confirmation=True, is_active=False, date_joined__lt=cutoff)
             .filter(complaints__isnull=True).order_by("date_joined").values_list("pk", flat=True)[:limit])
    deleted = 0
    for pk in list(stale):
        try:
            with transaction.atomic():
                User.objects.filter(pk=pk).delete()
        except (ProtectedError, RestrictedError):
            log.warning("Stale sign-up %s is referred to by a record; kept", pk)
        else:
            deleted += 1
    return deleted
