from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal import serializers as strict
from portal.inputs import EARLIEST, LATEST, BoundedDateField

from ..models import Export, ExportTemplate, Target, TargetMetric
from ..summary import GROUP_BY, MAX_PERIOD_YEARS

MAX_ID = 2**63 - 1


class PeriodQuerySerializer(serializers.Serializer):
    """`org` (default: your own organisation) and the period: `year` (that whole calendar year), or `start`
    (default 1 January) and `end` (default today). Validated data has `start` and `end`, never `year`."""

    org = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    # The dates' window (portal.inputs), so a year is never a date the other fields would refuse.
    year = serializers.IntegerField(required=False, min_value=EARLIEST.year, max_value=LATEST.year,
                                    help_text="A whole calendar year, 1 January to 31 December: the same as start "
                                              "and end on those days. Not together with start or end.")
    start = BoundedDateField(required=False)
    end = BoundedDateField(required=False)

    def validate(self, attrs):
        year = attrs.pop("year", None)
        if year is not None:
            if "start" in attrs or "end" in attrs:
                raise serializers.ValidationError(
                    {"year": [_("Give either a year or a start and end date, not both.")]})
            attrs["start"], attrs["end"] = date(year, 1, 1), date(year, 12, 31)
        today = timezone.localdate()
        attrs.setdefault("end", today)
        attrs.setdefault("start", date(attrs["end"].year, 1, 1))
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end must not be before the start.")]})
        try:
            limit = attrs["start"].replace(year=attrs["start"].year + MAX_PERIOD_YEARS)
        except ValueError:  # 29 February
            limit = date(attrs["start"].year + MAX_PERIOD_YEARS, 3, 1)
        if attrs["end"] >= limit:
            raise serializers.ValidationError(
                {"end": [_("Choose a period of at most %(years)d years.") % {"years": MAX_PERIOD_YEARS}]})
        return attrs


class SummaryQuerySerializer(PeriodQuerySerializer):
    group_by = serializers.ChoiceField(choices=GROUP_BY, required=False)


class FiguresSerializer(serializers.Serializer):
    person_times = serializers.IntegerField()
    online_person_times = serializers.IntegerField()
    online_share = serializers.FloatField()
    recuperation_trips = serializers.IntegerField()
    programme_trips = serializers.IntegerField()
    skilled_worker_trips = serializers.IntegerField()
    skilled_worker_share = serializers.FloatField()
    model_worker_trips = serializers.IntegerField()
    insured_person_times = serializers.IntegerField()
    nights = serializers.IntegerField()


class TotalsSerializer(FiguresSerializer):
    revenue_fen = serializers.IntegerField()
    subsidy_fen = serializers.IntegerField()
    currency = serializers.CharField()


class GroupSerializer(FiguresSerializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    organisation_id = serializers.IntegerField(required=False)


class ChildBehindSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    target = serializers.IntegerField()
    actual = serializers.FloatField()
    progress = serializers.FloatField()


class TargetProgressSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=TargetMetric.choices)
    label = serializers.CharField()
    target = serializers.IntegerField()
    actual = serializers.FloatField()
    progress = serializers.FloatField()
    year_elapsed = serializers.FloatField()
    on_track = serializers.BooleanField()
    children_behind = ChildBehindSerializer(many=True)


class StatsOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.CharField()


class SummarySerializer(serializers.Serializer):
    organisation = StatsOrganisationSerializer()
    start = serializers.DateField()
    end = serializers.DateField()
    group_by = serializers.CharField()
    totals = TotalsSerializer()
    facilities = serializers.DictField(child=serializers.IntegerField())
    groups = GroupSerializer(many=True)
    targets = TargetProgressSerializer(many=True)


class ServicePerAssetSerializer(serializers.Serializer):
    facility_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    organisation = serializers.CharField()
    person_times = serializers.IntegerField()
    book_value_fen = serializers.IntegerField(allow_null=True)
    floor_area_m2 = serializers.FloatField(allow_null=True)
    per_10k_yuan = serializers.FloatField(allow_null=True)
    per_m2 = serializers.FloatField(allow_null=True)
    idle = serializers.BooleanField()


class TargetQuerySerializer(serializers.Serializer):
    org = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class TargetSerializer(strict.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", min_value=1, max_value=MAX_ID)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    value = serializers.IntegerField(min_value=0, max_value=10**12)

    class Meta:
        model = Target
        fields = ["id", "organisation", "year", "metric", "value", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        validators = []  # setting a target again changes it (an upsert), so the unique check does not apply

    def validate(self, attrs):
        if attrs.get("metric") == TargetMetric.SKILLED_WORKER_SHARE and attrs.get("value", 0) > 100:
            raise serializers.ValidationError({"value": [_("A share is at most 100 (%).")]})
        return attrs


class ExportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = ["id", "kind", "format", "organisation", "filters", "status", "progress", "row_count", "error",
                  "created_at", "finished_at", "expires_at", "template", "download_url"]
        read_only_fields = fields

    def get_download_url(self, export) -> str | None:
        from django.urls import reverse

        if export.status != "done":
            return None
        return reverse("stats-export-download", kwargs={"pk": export.pk})


class ExportCreateSerializer(strict.Serializer):
    kind = serializers.ChoiceField(choices=Export._meta.get_field("kind").choices)
    format = serializers.ChoiceField(choices=Export._meta.get_field("format").choices)
    filters = serializers.DictField(required=False, default=dict)


class ExportTemplateSerializer(strict.ModelSerializer):
    filters = serializers.DictField(required=False, default=dict)

    class Meta:
        model = ExportTemplate
        fields = ["id", "name", "kind", "format", "organisation", "filters", "created_at"]
        read_only_fields = ["id", "organisation", "created_at"]
        validators = []
