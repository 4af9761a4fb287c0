"""Masking personal data: the one place that decides how a phone or a resident ID looks outside the
pages that need it in full (the member's own profile, the staff member page). Used by templates
(`mask_phone` filter), API serializers, exports, logs and the audit trail."""

from __future__ import annotations

import re

from django import forms

_NON_DIGIT = re.compile(r"\D")


def mask_phone(phone: str | None) -> str:
    """'+8613800000001' -> '138****0001'. Empty stays empty; short values are starred out entirely."""
    if not phone:
        return ""
    digits = _NON_DIGIT.sub("", str(phone))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_number(value: str | None) -> str:
    """A resident ID number reduced to its last four characters: '**************123X'."""
    if not value:
        return ""
    value = str(value).strip()
    return "*" * max(len(value) - 4, 0) + value[-4:] if len(value) > 4 else "*" * len(value)


class NoEchoTextInput(forms.TextInput):
    """A text box that never sends back what was typed: a resident ID must not reappear in the page when
    another field of the form has an error (nor in the browser's cache of that page)."""

    def format_value(self, value):
        return None
