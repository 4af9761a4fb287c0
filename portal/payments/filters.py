"""Query-string input of the staff payment lists (console page, CSV and staff API): bad values get a 400."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.rules import LOCAL_TZ
from facilities.models import Facility

from .models import Payment, PaymentStatus


class _PeriodForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end must not be before the start."))
        return data


class StaffPaymentFilter(django_filters.FilterSet):
    facility = django_filters.ModelChoiceFilter(queryset=Facility.objects.all(), label=_("Facility"),
                                                method="noop")
    status = django_filters.ChoiceFilter(choices=PaymentStatus.choices, label=_("Status"), method="noop")
    start = django_filters.DateFilter(label=_("From"), method="noop")
    end = django_filters.DateFilter(label=_("To (inclusive)"), method="noop")

    class Meta:
        form = _PeriodForm

    def __init__(self, data=None, *args, **kwargs):
        kwargs.setdefault("queryset", Payment.objects.none())  # the selector supplies the real rows
        super().__init__(data, *args, **kwargs)

    def noop(self, queryset, name, value):
        return queryset  # the selector applies the values (payments_for_staff)

    def clean_bounds(self) -> dict:
        """The validated filters as selector arguments (dates as local midnights, `end` inclusive)."""
        data = self.form.cleaned_data
        start, end = data.get("start"), data.get("end")
        return {
            "facility": data.get("facility"), "status": data.get("status") or None,
            "start": datetime.combine(start, time.min, tzinfo=LOCAL_TZ) if start else None,
            "end": datetime.combine(end + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)
            if end and end < date.max else None,
        }
