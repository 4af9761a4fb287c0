"""Small presentation helpers for the design system."""

from __future__ import annotations

import re

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _

from portal import privacy

register = template.Library()


@register.filter
def yuan(fen: int | None, currency: str = "CNY") -> str:
    """Integer minor units to an amount with thousands separators: 123450 -> "¥1,234.50", -500 -> "-¥5.00".

    Every amount on a page goes through here (prices through `money`), never through float arithmetic."""
    if fen is None or fen == "":
        return "—"
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    symbol = "¥" if currency in ("CNY", "", None) else f"{currency} "
    return f"{sign}{symbol}{fen // 100:,}.{fen % 100:02d}"


@register.filter
def money(fen: int | None, currency: str = "CNY") -> str:
    """A price: "Free" when there is nothing to pay, else the amount as `yuan` shows it."""
    return yuan(fen, currency) if fen else _("Free")


_MOBILE = re.compile(r"^(?:\+86|0086|86)?(1[3-9]\d)(\d{4})(\d{4})$")
# Landlines: area code 010 or 02x (3 digits with the trunk 0) or 0xxx (4 digits), then 7 or 8 digits.
_LANDLINE = re.compile(r"^(?:\+86|0086)?0?(10|2\d|[3-9]\d{2})(\d{3,4})(\d{4})$")


def phone_parts(raw: str | None) -> tuple[str, str] | None:
    """(readable form, tel: URI) of a mainland number, or None when `raw` is not one.

    "+8613800000001" -> ("138 0000 0001", "tel:+8613800000001");
    "0571-87000001" -> ("0571-8700 0001", "tel:+8657187000001")."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if match := _MOBILE.match(digits):
        return " ".join(match.groups()), "tel:+86" + "".join(match.groups())
    if match := _LANDLINE.match(digits):
        area, head, tail = match.groups()
        return f"0{area}-{head} {tail}", f"tel:+86{area}{head}{tail}"
    return None


@register.filter
def phone(raw: str | None, style: str = "link") -> str:
    """A phone number in groups a person can read, as a tap-to-call link ({{ number|phone }}) or as text
    ({{ number|phone:"text" }}); anything that is not a mainland number is shown as it was typed."""
    if not raw:
        return "—"
    parts = phone_parts(raw)
    if parts is None:
        return raw
    readable, uri = parts
    if style == "text":
        return readable
    return format_html('<a class="tel" href="{}" translate="no">{}</a>', uri, readable)


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


@register.simple_tag
def site_name() -> str:
    """The portal's name (settings.SITE_NAME, translated) for mails and page titles."""
    return str(settings.SITE_NAME)
@register.filter
def mask_phone(phone: str | None) -> str:
    """A phone outside the pages that need it in full: 138****0001 (portal.privacy)."""
    return privacy.mask_phone(phone)
