"""The filters each export kind takes, validated like any API input. A filter a kind does not know is an
error naming it (so a saved template whose filters no longer apply says exactly which one)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.stats.api.serializers import MAX_ID, PeriodQuerySerializer
from portal.stats.models import Channel, ExportKind, ServiceKind
from portal.stats.summary import GROUP_BY

NOT_APPLICABLE = _("This filter does not apply to this kind of export.")


class _Strict(serializers.Serializer):
    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"filters": [_("Give the filters as an object.")]})
        errors = {name: [NOT_APPLICABLE] for name in sorted(set(data) - set(self.fields))}
        try:
            value = super().to_internal_value({k: v for k, v in data.items() if k in self.fields})
        except serializers.ValidationError as exc:
            errors.update(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
        if errors:
            raise serializers.ValidationError(errors)
        return value


class PeriodFilters(_Strict, PeriodQuerySerializer):
    pass


class ServiceRecordFilters(PeriodFilters):
    kind = serializers.ChoiceField(choices=ServiceKind.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


class SummaryFilters(PeriodFilters):
    group_by = serializers.ChoiceField(choices=GROUP_BY, required=False, default="month")


class AssetReportFilters(_Strict):
    org = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    year = serializers.IntegerField(min_value=2000, max_value=2100)


FILTERS = {
    ExportKind.SERVICE_RECORDS: ServiceRecordFilters,
    ExportKind.SUMMARY: SummaryFilters,
    ExportKind.ASSET_REPORT: AssetReportFilters,
    ExportKind.BOOKINGS: PeriodFilters,
    ExportKind.STAYS: PeriodFilters,
    ExportKind.ENROLMENTS: PeriodFilters,
    ExportKind.CLAIMS: PeriodFilters,
}


def clean_filters(kind: str, filters) -> dict:
    """The validated filters as JSON-ready values (dates as ISO text), or a ValidationError under `filters.`."""
    serializer = FILTERS[kind](data=filters)
    if not serializer.is_valid():
        raise serializers.ValidationError({"filters": serializer.errors})
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in serializer.validated_data.items()}


def parsed_filters(kind: str, filters: dict) -> dict:
    """Stored filters back as typed values (dates)."""
    serializer = FILTERS[kind](data=filters)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
