"""Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 6 digits, 30-second steps.

These are the parameters every authenticator app uses by default, so the otpauth:// URI
needs to name none of them; the URI names them anyway so no app has to guess.
"""

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

DIGITS = 6
STEP_SECONDS = 30
# A phone's clock may be a step behind or ahead: the codes for those steps count too.
DRIFT_STEPS = 1


def random_secret():
    """Return a new secret: 160 random bits (RFC 4226's recommended length) in base32."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def hotp(key, counter, digits=DIGITS):
    """Return the HOTP code (RFC 4226) for a raw key and a counter, as a string of ``digits`` digits."""
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(when):
    """Return the time step (RFC 6238's T) that a timezone-aware datetime falls in."""
    return int(when.timestamp()) // STEP_SECONDS


def code_at(secret, step):
    """Return the code an authenticator app shows for a base32 secret during a time step."""
    return hotp(base64.b32decode(secret), step)


def matching_step(secret, code, *, now):
    """Return the time step near ``now`` whose code is ``code``, or None.

    Every candidate is compared in constant time, whatever matched, so the time taken says
    nothing about the code. Refusing a step already used is the caller's job.
    """
    current = step_at(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code) and found is None:
            found = step
    return found


def provisioning_uri(secret, *, account, issuer):
    """Return the otpauth:// URI an authenticator app reads (from a QR code or typed in)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1",
                       "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"
