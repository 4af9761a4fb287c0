"""Ticket codes: the QR carries 96 random bits; staff type the short form when a QR will not scan.

The short form is 8 characters of Crockford's base32 (digits and letters without I, L, O and U: 40 bits),
shown in two groups ("7KQ4-M2XD"). Typed input is forgiving: case, spaces and dashes are ignored and the
letters people confuse with digits (I, L -> 1; O -> 0) are read as the digits, as Crockford specifies.
Short forms are unique across all tickets (a database constraint); a clash is retried with a new code.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_LENGTH = 8
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SHORT = re.compile(rf"^[{ALPHABET}]{{{SHORT_LENGTH}}}$")


def new_ticket_code() -> str:
    return secrets.token_urlsafe(12)  # 96 random bits: unguessable, short enough for a QR code


def new_short_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SHORT_LENGTH))


def new_ticket() -> dict[str, str]:
    """The fields of a freshly issued ticket."""
    return {"ticket_code": new_ticket_code(), "ticket_short": new_short_code()}



def normalise_short(raw: str) -> str | None:
    """The stored form of a typed short code, or None when `raw` cannot be one."""
    cleaned = re.sub(r"[\s\-‐-―－]", "", raw or "").upper().translate(_CONFUSABLE)
    return cleaned if _SHORT.match(cleaned) else None
