"""Small presentation helpers for the design system."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from portal import privacy

register = template.Library()


@register.filter
def money(fen: int | None, currency: str = "CNY") -> str:
    """Integer minor units to a price label: 3000 -> "¥30.00"; 0 -> "Free"."""
    if not fen:
        return _("Free")
    symbol = "¥" if currency in ("CNY", "", None) else f"{currency} "
    return f"{symbol}{fen // 100}.{fen % 100:02d}"


@register.filter
def get(mapping, key):
    """dict lookup in templates: {{ verdicts|get:session.pk }}."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@register.simple_tag
def query(request, **changes) -> str:
    """The current query string with some parameters replaced (None drops them)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def mask_phone(phone: str | None) -> str:
    """A phone outside the pages that need it in full: 138****0001 (portal.privacy)."""
    return privacy.mask_phone(phone)
