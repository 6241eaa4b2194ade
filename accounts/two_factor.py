"""The second factor staff pass before any staff page works: a TOTP code from an authenticator app.

``is_verified(request)`` is the one check: the admin site's ``has_permission``, the
reports' ``manager_required``, the password change page and complaints.access (for the
customers' complaint pages) call it. A session is verified for one authenticator, so
resetting a lost phone's authenticator ends every session verified with it, and logging
out (which flushes the session) ends it too. Without their phone, staff pass with one of the
single-use recovery codes they were shown when they set the authenticator up
(accounts/recovery_codes.py).

Code that builds staff sessions outside the log-in pages:

- A bench or script: log the user in (``Client.force_login``, or a ``SessionStore`` with
  django.contrib.auth's session keys), then ``mark_verified(session, user)`` and save the
  session. The user needs a confirmed authenticator: ``enrol(user=user)`` gives one (with
  no recovery codes: ``new_recovery_codes`` makes some).
- ``seed_demo``: ``confirmed_authenticator(user) or enrol(user=user)`` for each demo staff
  account (a rerun keeps the key already added to a phone), and print its ``secret`` and
  ``setup_uri(authenticator)`` beside the password, so whoever runs the demo can add it to
  an authenticator app. Only a demo may print a secret.
"""

import logging

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts import recovery_codes, staff_sessions, totp
from accounts.models import Authenticator

logger = logging.getLogger(__name__)

SESSION_KEY = "two_factor_authenticator"
_CACHE_ATTRIBUTE = "_two_factor_verified"


def is_verified(request):
    """Say whether the request's user passed the second factor in this session.

    Only a confirmed authenticator the user still has counts, in a staff session still
    within its time limits (``staff_sessions``: one past them is logged out here). The answer is kept on the
    request: the admin asks several times for each page.
    """
    if not hasattr(request, _CACHE_ATTRIBUTE):
        user, claimed = request.user, request.session.get(SESSION_KEY)
        verified = claimed is not None and user.is_authenticated and staff_sessions.within_limits(request) and \
            Authenticator.objects.filter(pk=claimed, user=request.user, confirmed_at__isnull=False).exists()
        setattr(request, _CACHE_ATTRIBUTE, verified)
    return getattr(request, _CACHE_ATTRIBUTE)


def mark_verified(session, user):
    """Record in ``session`` that ``user`` passed the second factor with their confirmed authenticator.

    Raises Authenticator.DoesNotExist if the user has none: there is nothing to verify with.
    """
    session[SESSION_KEY] = Authenticator.objects.only("pk").get(user=user, confirmed_at__isnull=False).pk


def verify_url(next_url):
    return f"{reverse('accounts:two_factor')}?{urlencode({'next': next_url})}"


def redirect_to_verify(request, next_url=None):
    """Send the user to enter a code (or set an authenticator up), then back to ``next_url``."""
    return HttpResponseRedirect(verify_url(next_url or request.get_full_path()))


def confirmed_authenticator(user):
    return Authenticator.objects.filter(user=user, confirmed_at__isnull=False).first()


def pending_authenticator(user):
    """Return the user's authenticator waiting for its first code, creating it if there is none.

    The secret stays the same until confirmed, so reloading the set-up page never breaks what
    the staff member already added to their app. Never call this for a confirmed one.
    """
    authenticator, _ = Authenticator.objects.get_or_create(
        user=user, confirmed_at__isnull=True, defaults={"secret": totp.random_secret()}
    )
    return authenticator


def setup_uri(authenticator):
    """Return the otpauth:// URI that adds the authenticator to an app."""
    issuer = f"{settings.PROVIDER['short_name']} Complaints"
    return totp.provisioning_uri(authenticator.secret, account=authenticator.user.email, issuer=issuer)


def _pass(request, authenticator):
    # A new session key: the one used before the second factor never carries the staff powers.
    request.session.cycle_key()
    mark_verified(request.session, authenticator.user)
    setattr(request, _CACHE_ATTRIBUTE, True)


@transaction.atomic
def confirm_setup(request, *, authenticator, code):
    """Confirm a new authenticator with its first code and verify the session.

    Return the authenticator's new recovery codes, to show once, or None if the code was wrong.
    """
    if not authenticator.accept(code):
        return None
    authenticator.confirmed_at = timezone.now()
    authenticator.save(update_fields=["confirmed_at"])
    codes = recovery_codes.replace(authenticator)
    _log(actor=authenticator.user, user=authenticator.user, message="Set up a two-factor authenticator.")
    _pass(request, authenticator)
    return codes


def verify(request, *, authenticator, code):
    """Verify the session with a code from the user's confirmed authenticator; say whether it worked."""
    if not authenticator.accept(code):
        logger.warning("Wrong two-factor code for user #%s", authenticator.user_id)
        return False
    _pass(request, authenticator)
    return True


def verify_recovery_code(request, *, authenticator, code):
    """Verify the session with one of the user's recovery codes, using it up; say whether it worked."""
    if not recovery_codes.use(authenticator, code):
        logger.warning("Wrong two-factor recovery code for user #%s", authenticator.user_id)
        return False
    # Recorded where a superuser looks: a code used without the owner knowing means a leaked list.
    _log(actor=authenticator.user, user=authenticator.user, message="Used a two-factor recovery code.")
    _pass(request, authenticator)
    return True


@transaction.atomic
def new_recovery_codes(authenticator):
    """Replace the authenticator's recovery codes, recording it; return the new ones, to show once."""
    codes = recovery_codes.replace(authenticator)
    _log(actor=authenticator.user, user=authenticator.user, message="Made new two-factor recovery codes.")
    return codes


@transaction.atomic
def enrol(*, user, secret=None):
    """Give ``user`` a confirmed authenticator (replacing any) without the set-up page.

    For accounts made outside the web (demo data, benchmarks, tests); staff set up their
    own on the set-up page.
    """
    Authenticator.objects.filter(user=user).delete()
    return Authenticator.objects.create(user=user, secret=secret or totp.random_secret(), confirmed_at=timezone.now())


@transaction.atomic
def reset(*, user, actor):
    """Remove ``user``'s authenticator (a lost phone), recording who did it; say whether there was one.

    Their verified sessions and their recovery codes stop working at once; at their next log
    in they set up a new authenticator, and get new codes.
    """
    deleted, _ = Authenticator.objects.filter(user=user).delete()
    if deleted:
        _log(actor=actor, user=user, message="Reset the two-factor authenticator (lost or replaced phone).")
        logger.info("Two-factor authenticator of user #%s reset by user #%s", user.pk, actor.pk)
    return bool(deleted)


def _log(*, actor, user, message):
    LogEntry.objects.log_actions(actor.pk, [user], CHANGE, message, single_object=True)
