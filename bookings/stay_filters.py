"""Query parameters of the stay lists (member API, staff API and desk)."""

from __future__ import annotations

import django_filters

from facilities.models import Facility
from portal.inputs import DateFilter

from .models import Stay, StayStatus


class StayFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=StayStatus.choices)

    class Meta:
        model = Stay
        fields: list[str] = []


class StaffStayFilter(django_filters.FilterSet):
    facility = django_filters.ModelChoiceFilter(queryset=Facility.objects.all(), field_name="room_type__facility",
                                                help_text="must be one of your sanatoriums (404 otherwise)")
    status = django_filters.ChoiceFilter(choices=StayStatus.choices)

    class Meta:
        model = Stay
        fields: list[str] = []


class StaffStayDayFilter(django_filters.FilterSet):
    date = DateFilter(help_text="the day (YYYY-MM-DD); default today")
    facility = django_filters.ModelChoiceFilter(queryset=Facility.objects.all(), field_name="room_type__facility",
                                                help_text="must be one of your sanatoriums (404 otherwise)")

    class Meta:
        model = Stay
        fields: list[str] = []
