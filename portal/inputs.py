"""Dates and date-times as they come in: query strings, API bodies and HTML forms all parse them here.

One window of plausible dates (1900-01-01 to 2100-12-31) is enforced at the edge, so an impossible or absurd
value (`2026-13-45`, `+99:00`, year 9999 or 0001) is a field error, never an OverflowError deep inside a
service or a 500. Naive date-times are wall-clock time in the portal's time zone (Asia/Shanghai).
"""

from __future__ import annotations

from datetime import date, datetime, time

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
# The most people a session, a venue or a head count can hold: beyond it is a typo or an attack, and a number
# large enough to overflow a database integer must be a field error before it reaches a query.
MAX_PEOPLE = 100_000

OUT_OF_RANGE = _("Enter a date between %(earliest)s and %(latest)s.")
NOT_A_MOMENT = _("Enter a date (YYYY-MM-DD) or an ISO 8601 date-time.")


def check_window(day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(OUT_OF_RANGE, code="out_of_range",
                              params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()})


def earliest_moment() -> datetime:
    return datetime.combine(EARLIEST, time.min, tzinfo=timezone.get_default_timezone())


def parse_moment(value) -> datetime:
    """A date (its local midnight) or an ISO 8601 date-time; naive values are local time."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    else:
        raw = str(value).strip()
        try:
            moment = parse_datetime(raw)
            if moment is None:
                day = parse_date(raw)
                moment = datetime.combine(day, time.min) if day else None
        except ValueError:  # well-formed but impossible: month 13, offset +99:00
            moment = None
        if moment is None:
            raise ValidationError(NOT_A_MOMENT, code="invalid")
    check_window(moment.date())
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, timezone.get_default_timezone())


# --- Django form fields (HTML forms, FilterSets) ---------------------------------------------------------------

class DateField(forms.DateField):
    def to_python(self, value):
        day = super().to_python(value)
        if day is not None:
            check_window(day)
        return day


class DateTimeField(forms.DateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None:
            check_window(moment.date())
        return moment


class MomentField(forms.Field):
    """A date or a date-time in one field, as the API's `start` / `end` query parameters take them."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_moment(value)


# --- django-filter filters ---------------------------------------------------------------------------------------

class DateFilter(django_filters.DateFilter):
    field_class = DateField


class MomentFilter(django_filters.IsoDateTimeFilter):
    """Documented as a date-time; a bare date means its local midnight."""

    field_class = MomentField


# --- DRF serializer fields (API bodies) --------------------------------------------------------------------------

def _drf_window(day: date | None) -> None:
    try:
        check_window(day or date.min)
    except ValidationError as exc:
        raise serializers.ValidationError(exc.messages, code="out_of_range") from None


class BoundedDateField(serializers.DateField):
    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        _drf_window(day)
        return day


class BoundedDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
        except OverflowError:  # year 0001 local time has no UTC equivalent
            moment = None
        _drf_window(moment.date() if moment else None)
        return moment
