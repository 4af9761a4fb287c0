"""Query parameters of the facility registry and the staff lists (API and palace pages)."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.filters import IntegerFilter, search_filter
from portal.members.models import Organisation

from .models import AssetRecord, Facility, FacilityKind, Venue

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
