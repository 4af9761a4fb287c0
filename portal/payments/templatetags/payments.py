"""Money of payments in templates: exact amounts, zero included (the `money` filter says "Free" for 0)."""

from django import template

from ..services._common import fen_label

register = template.Library()


@register.filter
def fen(value: int | None, currency: str = "CNY") -> str:
    return fen_label(int(value or 0), currency or "CNY")
