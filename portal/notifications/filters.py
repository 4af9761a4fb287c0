"""Query parameters of the inbox."""

from __future__ import annotations

import django_filters

from portal.filters import BooleanFilter

from .models import Message


class MessageFilter(django_filters.FilterSet):
    unread = BooleanFilter(help_text="true: unread messages only")

    class Meta:
        model = Message
        fields: list[str] = []
