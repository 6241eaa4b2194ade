"""Tracking numbers: ``LMI-XXXX-XXXX`` in Crockford's base-32 alphabet.

Seven random characters, then a check character. The check is a weighted sum modulo 32
with odd weights: an odd weight is a unit modulo 32, so changing any one character changes
the sum, and every single-character typo is caught.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "LMI"
RANDOM_LENGTH = 7
_WEIGHTS = (1, 3, 5, 7, 9, 11, 13)
_TYPO_MAP = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")


def check_character(body: str) -> str:
    """Return the check character for seven characters of the alphabet."""
    total = sum(weight * ALPHABET.index(char) for weight, char in zip(_WEIGHTS, body, strict=True))
    return ALPHABET[total % 32]


def format_tracking_number(body: str) -> str:
    code = body + check_character(body)
    return f"{PREFIX}-{code[:4]}-{code[4:]}"


def generate_tracking_number() -> str:
    """Return a new random tracking number (unguessable: never derived from an id)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return format_tracking_number(body)


def normalise_tracking_number(text: str) -> str | None:
    """Return the canonical form of a typed tracking number, or None if it is not valid.

    Accepts lower case, spaces, missing dashes, a missing prefix, and O, I or L typed
    for 0, 1 and 1.
    """
    compact = _SEPARATORS.sub("", (text or "").upper())
    if len(compact) == len(PREFIX) + RANDOM_LENGTH + 1 and compact[:3] in ("LMI", "LM1"):
        compact = compact[3:]
    compact = compact.translate(_TYPO_MAP)
    if len(compact) != RANDOM_LENGTH + 1 or any(char not in ALPHABET for char in compact):
        return None
    body, check = compact[:-1], compact[-1]
    if check_character(body) != check:
        return None
    return format_tracking_number(body)
