"""What a submitted form or JSON body becomes in the audit log: secrets dropped, personal numbers masked."""

from __future__ import annotations

import re
from typing import Any

from portal.privacy import mask_id_number, mask_phone

REDACTED = "[redacted]"
_DROP = {"csrfmiddlewaretoken"}
# A key is secret when one of its words is one of these (region_code stays visible, code does not).
_SECRET_WORDS = {"password", "password1", "password2", "oldpassword", "secret", "token", "otp", "totp",
                 "signature", "cvc", "cvv", "pin", "seed"}
_SECRET_KEYS = {"code", "key", "card_number", "ticket_code", "recovery_code"}
_ID_WORDS = {"id_number", "id_card", "resident_id"}
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
MAX_KEYS = 50
MAX_TEXT = 300
MAX_DEPTH = 4


def _words(key: str) -> set[str]:
    return set(re.split(r"[^a-z0-9]+", key.lower()))


def _scrub_text(text: str) -> str:
    """Free text (a rejection reason, a note) can carry a typed ID or phone number too."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
    return text[:MAX_TEXT]


def _value(key: str, value: Any, depth: int) -> Any:
    lowered = key.lower()
    if lowered in _SECRET_KEYS or _words(lowered) & _SECRET_WORDS:
        return REDACTED
    if any(word in lowered for word in _ID_WORDS):
        return mask_id_number(str(value)) if value else value
    if "phone" in lowered or "mobile" in lowered:
        return mask_phone(str(value)) if value else value
    return _clean(value, depth + 1)


def _clean(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return "…"
    if isinstance(value, dict):
        return {str(k)[:100]: _value(str(k), v, depth) for k, v in list(value.items())[:MAX_KEYS]
                if str(k) not in _DROP}
    if isinstance(value, (list, tuple)):
        return [_clean(v, depth + 1) for v in value[:MAX_KEYS]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if hasattr(value, "name") and hasattr(value, "size"):  # an uploaded file: its name only
        return f"<file {str(value.name)[:100]}>"
    return _scrub_text(str(value))


def redact(data: Any) -> Any:
    """A JSON-safe, redacted copy of submitted data (dict, QueryDict, list or scalar)."""
    if hasattr(data, "lists"):  # QueryDict / MultiValueDict: single values as scalars
        data = {k: v[0] if len(v) == 1 else v for k, v in data.lists()}
    return _clean(data, 0)
