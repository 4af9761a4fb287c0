"""Helpers shared by the mutual-aid services: today's local date, money labels, refusals from verdicts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.errors import Conflict, NotPermitted

from ..eligibility import CONFLICT_REASONS, FORBIDDEN_REASONS, REASON_FIELDS, Verdict
from ..selectors import local_today

__all__ = ["fen_label", "local_today", "now", "refuse"]


def now():
    return timezone.now()


def fen_label(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def refuse(verdict: Verdict) -> None:
    """Raise what the first kind of reason calls for: 403 for the member's standing, 409 for time and state,
    otherwise 400 with every reason beside the field it blames."""
    forbidden = [r for r in verdict.reasons if r.code in FORBIDDEN_REASONS]
    if forbidden:
        raise NotPermitted(forbidden[0].message, code=forbidden[0].code)
    errors: dict[str, list[str]] = {}
    for reason in verdict.reasons:
        if reason.code in CONFLICT_REASONS:
            continue
        errors.setdefault(REASON_FIELDS.get(reason.code, "scheme"), []).append(reason.message)
    if errors:
        raise ValidationError(errors)
    conflict = verdict.reasons[0]
    raise Conflict(conflict.message, code=conflict.code)
