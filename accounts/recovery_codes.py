"""Single-use recovery codes: a staff member's way past the second factor without their phone.

Ten are made when an authenticator is confirmed, and again whenever its owner asks (the old
set then stops working); each set is shown once, on the page that made it. A recovery code
stands in for one code from the app: it is used up when accepted, and a wrong one counts
towards the same lockout as a wrong app code. Resetting the authenticator deletes its codes.
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import Authenticator, RecoveryCode

COUNT = 10
LENGTH = 10
# Crockford's base32: digits and capitals but I, L, O and U, so no two symbols look alike.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Crockford's base32 reads the letters people type for its digits as those digits.
LOOK_ALIKES = str.maketrans("ILO", "110")
# With this many left or fewer, the pages urge making a new set.
FEW = 3


def normalise(code):
    """Return ``code`` as it is hashed (capitals, no spaces or dashes), or None if it cannot be a recovery code."""
    text = "".join(code.split()).replace("-", "").upper().translate(LOOK_ALIKES)
    if len(text) != LENGTH or any(symbol not in ALPHABET for symbol in text):
        return None
    return text


def _hash(normalised):
    # SHA-256 without salt or stretching, unlike passwords: each code is 50 random bits, so
    # there is no list of likely codes to try first; online guessing is stopped by the lockout;
    # and whoever can read this table can read the authenticators' secrets beside it anyway.
    return hashlib.sha256(normalised.encode("ascii")).hexdigest()


def _grouped(code):
    return f"{code[:LENGTH // 2]}-{code[LENGTH // 2:]}"


@transaction.atomic
def replace(authenticator):
    """Give the authenticator a new set of recovery codes, the old ones no longer working.

    Return the new codes, grouped for reading, to show once: only their hashes are kept.
    """
    authenticator.recovery_codes.all().delete()
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(authenticator=authenticator, code_hash=_hash(code)) for code in codes)
    return [_grouped(code) for code in codes]


def remaining(authenticator):
    return authenticator.recovery_codes.filter(used_at__isnull=True).count()


def use(authenticator, code, now=None):
    """Say whether ``code`` is one of the authenticator's unused recovery codes, using it up if so.

    The code is claimed with a conditional UPDATE, so of requests racing with the same code
    only one finds it unused. As with the app's codes, none is accepted while locked out (the
    UPDATE checks the lockout again) and a wrong one counts towards the lockout.
    """
    now = now or timezone.now()
    if authenticator.locked_until(now):
        return False
    normalised = normalise(code)
    if normalised is not None and RecoveryCode.objects.filter(
        authenticator__in=authenticator.unlocked(now), code_hash=_hash(normalised), used_at__isnull=True,
    ).update(used_at=now):
        Authenticator.objects.filter(pk=authenticator.pk).update(failed_codes=0, last_failed_at=None)
        authenticator.failed_codes, authenticator.last_failed_at = 0, None
        return True
    authenticator.count_failure(now)
    return False
