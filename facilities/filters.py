"""Query parameters of the facility registry, room availability and the staff lists (API and pages)."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.filters import IntegerFilter, search_filter
from portal.inputs import DateFilter
from portal.members.models import Organisation

from .models import AssetRecord, Facility, FacilityKind, RoomNight, RoomType, Venue
from .room_selectors import MAX_AVAILABILITY_NIGHTS

DEFAULT_NIGHTS = 30

REGION_PATTERN = r"^[0-9]{2,6}$"


@extend_schema_field({"type": "string", "pattern": REGION_PATTERN})
class RegionFilter(django_filters.CharFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [RegexValidator(REGION_PATTERN, _("Enter a region code made of digits."))])
        super().__init__(*args, **kwargs)


class FacilityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=FacilityKind.choices)
    region = RegionFilter(help_text="administrative region code or prefix, e.g. 330100")
    org = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all(), field_name="organisation",
                                           help_text="owning organisation id; includes the unions below it")
    q = search_filter(help_text="words in the name, the address or a published activity's title")

    class Meta:
        model = Facility
        fields: list[str] = []


class StaffFacilityFilter(django_filters.FilterSet):
    facility = django_filters.ModelChoiceFilter(queryset=Facility.objects.all(),
                                                help_text="must be one of your facilities (403 otherwise)")


class StaffVenueFilter(StaffFacilityFilter):
    class Meta:
        model = Venue
        fields: list[str] = []


class StaffAssetRecordFilter(StaffFacilityFilter):
    year = extend_schema_field(OpenApiTypes.INT)(IntegerFilter(min_value=1949, max_value=2100))

    class Meta:
        model = AssetRecord
        fields: list[str] = []


class _NightRangeForm(forms.Form):
    """[start, end) of nights: end after start, at most MAX_AVAILABILITY_NIGHTS nights. Left out, start is today
    and end DEFAULT_NIGHTS later."""

    def clean(self):
        data = super().clean()
        if "start" not in self.errors and not data.get("start"):
            data["start"] = timezone.localdate()
        if "end" not in self.errors and not data.get("end") and data.get("start"):
            data["end"] = data["start"] + timedelta(days=DEFAULT_NIGHTS)
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end <= start:
                self.add_error("end", _("The end must be after the start."))
            elif (end - start).days > MAX_AVAILABILITY_NIGHTS:
                self.add_error("end", _("Ask for at most %(n)d nights at a time.") % {"n": MAX_AVAILABILITY_NIGHTS})
        return data


class AvailabilityFilter(django_filters.FilterSet):
    start = DateFilter(help_text="first night (YYYY-MM-DD); default today")
    end = DateFilter(help_text="the night after the last (like a check-out date); at most 120 nights after start; "
                               "default 30 nights after start")

    class Meta:
        model = RoomNight
        fields: list[str] = []
        form = _NightRangeForm


class StaffRoomTypeFilter(StaffFacilityFilter):
    class Meta:
        model = RoomType
        fields: list[str] = []
