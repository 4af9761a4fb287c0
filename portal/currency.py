"""The one currency money is kept in (integer fen, DESIGN.md section 3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Currency(models.TextChoices):
    CNY = "CNY", _("Renminbi (CNY)")


def only_cny(field: str = "currency") -> models.Q:
    return models.Q(**{f"{field}__in": Currency.values})
