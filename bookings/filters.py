"""Query parameters of the session and booking lists (member API, staff API, palace pages)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility
from portal.filters import search_filter
from portal.inputs import MomentFilter

from .models import Activity, Booking, BookingStatus, Category, Session


class _PeriodForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end must be after the start."))
        return data


class SessionFilter(django_filters.FilterSet):
    facility = django_filters.ModelChoiceFilter(queryset=Facility.objects.all(), field_name="activity__facility")
    activity = django_filters.ModelChoiceFilter(queryset=Activity.objects.all())
    category = django_filters.ChoiceFilter(choices=Category.choices)
    start = MomentFilter(help_text="from (default: now); a date or an ISO 8601 date-time, local time if no offset")
    end = MomentFilter(help_text="until (exclusive)")
    q = search_filter(help_text="words in the activity's title or the facility's name or address")

    class Meta:
        model = Session
        fields: list[str] = []
        form = _PeriodForm


class BookingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=BookingStatus.choices)

    class Meta:
        model = Booking
        fields: list[str] = []


class StaffActivityFilter(django_filters.FilterSet):
    facility = django_filters.ModelChoiceFilter(queryset=Facility.objects.all(),
                                                help_text="must be one of your facilities (403 otherwise)")

    class Meta:
        model = Activity
        fields: list[str] = []


class StaffSessionFilter(django_filters.FilterSet):
    activity = django_filters.ModelChoiceFilter(queryset=Activity.objects.all(),
                                                help_text="must be one of your activities (403 otherwise)")

    class Meta:
        model = Session
        fields: list[str] = []
