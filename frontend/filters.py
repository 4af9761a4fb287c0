"""Query strings of the HTML pages, read through the same FilterSets (and bounded date fields) as the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.models import Category
from facilities.filters import FacilityFilter
from portal import inputs


class PalaceFilter(FacilityFilter):
    """The palace list's search: the API's facility filters plus the kind of activity on offer."""

    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Kind of activity"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["q"].label = _("Palace or activity")
        self.filters["region"].label = _("Area")


class WeekForm(forms.Form):
    """`?week=YYYY-MM-DD` on the week calendars (any day of the wanted week)."""

    week = inputs.DateField(required=False)
