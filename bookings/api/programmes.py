"""Member API of recuperation programmes: programmes with each batch's places left and the caller's eligibility,
applying, the member's applications (with their timeline) and withdrawing."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from portal.filters import query
from portal.members.selectors import member_require
from portal.serializers import ModelSerializer, Serializer

from .. import programme_selectors as selectors
from ..models import Application, ApplicationStatus, ApplicationStep, Batch, Programme
from ..selectors import member_for
from ..services import applications as services


class ReasonSerializer(Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class BatchSerializer(ModelSerializer):
    sanatorium_name = serializers.CharField(source="sanatorium.name", read_only=True)
    nights = serializers.IntegerField(read_only=True)
    places_left = serializers.SerializerMethodField()
    places_for_you = serializers.SerializerMethodField()
    eligible = serializers.SerializerMethodField()
    can_apply = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()
    application = serializers.SerializerMethodField()
    application_status = serializers.SerializerMethodField()

    class Meta:
        model = Batch
        fields = ["id", "sanatorium", "sanatorium_name", "start_date", "end_date", "nights", "places", "places_left",
                  "places_for_you", "route", "applications_open", "applications_close", "status", "eligible",
                  "can_apply", "reasons", "application", "application_status"]

    def _v(self, obj) -> selectors.BatchVerdict:
        return self.context["verdicts"][obj.pk]

    def get_places_left(self, obj) -> int:
        """Places of the batch nobody holds yet, across the whole tree."""
        return self._v(obj).places_left

    def get_places_for_you(self, obj) -> int | None:
        """Free places your union and the unions above it hold (what an approval could take); null signed out."""
        return self._v(obj).places_for_you

    def get_eligible(self, obj) -> bool:
        """Whether you meet the programme's rules for this batch."""
        return self._v(obj).eligible

    def get_can_apply(self, obj) -> bool:
        return self._v(obj).can_apply

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, obj) -> list[dict]:
        """Why you cannot apply (empty when you can): [{"code", "message"}]."""
        return [{"code": r.code, "message": str(r.message)} for r in self._v(obj).reasons]

    def get_application(self, obj) -> int | None:
        """Your active application for this batch, if any."""
        return self._v(obj).application_id

    def get_application_status(self, obj) -> str | None:
        return self._v(obj).application_status


class ProgrammeSerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    batches = BatchSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "title", "organisation", "organisation_name", "year", "description",
                  "min_model_worker_level", "categories", "min_membership_years", "once_in_years",
                  "priority_never_been", "skilled_share_percent", "status", "batches"]


class ApplyBodySerializer(Serializer):
    batch = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class StepSerializer(ModelSerializer):
    class Meta:
        model = ApplicationStep
        fields = ["action", "reason", "created_at"]


class ApplicationSerializer(ModelSerializer):
    programme = serializers.IntegerField(source="batch.programme_id", read_only=True)
    programme_title = serializers.CharField(source="batch.programme.title", read_only=True)
    sanatorium_name = serializers.CharField(source="batch.sanatorium.name", read_only=True)
    start_date = serializers.DateField(source="batch.start_date", read_only=True)
    end_date = serializers.DateField(source="batch.end_date", read_only=True)
    allocation_organisation = serializers.CharField(source="allocation.organisation.name", read_only=True,
                                                    default=None, allow_null=True)
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = ["id", "programme", "programme_title", "batch", "sanatorium_name", "start_date", "end_date",
                  "status", "reason", "nominated", "never_been", "allocation_organisation", "checked_in_at",
                  "checked_out_at", "created_at", "steps"]


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)

    class Meta:
        model = Application
        fields: list[str] = []


@extend_schema(tags=["programmes"])
class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    """Open recuperation programmes; for each batch the places left and whether the caller may apply (and why
    not). The list and one programme are read by the same selector, so both give the same verdict."""

    serializer_class = ProgrammeSerializer

    def get_permissions(self):
        return [IsAuthenticated()] if self.action == "applications" else [AllowAny()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Programme.objects.none()
        return selectors.programme_list()

    def _respond(self, programmes: list[Programme], many: bool):
        verdicts = selectors.batch_verdicts(member=member_for(self.request.user), programmes=programmes)
        return ProgrammeSerializer(programmes if many else programmes[0], many=many,
                                   context={"verdicts": verdicts, "request": self.request}).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._respond(list(page), many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._respond([selectors.programme_get(programme_id=int(kwargs["pk"]))], many=False))

    @extend_schema(request=ApplyBodySerializer, responses={201: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def applications(self, request, pk=None):
        """Apply to one batch of this programme: 409 when it is closed or full for your union, you are not
        eligible, or you hold an overlapping application."""
        member = member_require(user=request.user)
        body = ApplyBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = services.application_submit(member=member, programme_id=int(pk),
                                                  batch_id=body.validated_data["batch"])
        return Response(ApplicationSerializer(selectors.application_get(member=member,
                                                                         application_id=application.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=["programmes"])
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in member's programme applications with their timeline; anybody else's is 404."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        status_filter = query(ApplicationFilter, self.request)["status"] if self.action == "list" else None
        return selectors.application_list(member=member_require(user=self.request.user), status=status_filter or None)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw before the batch starts; a place already taken goes back to the union."""
        member = member_require(user=request.user)
        services.application_withdraw(member=member, application_id=int(pk))
        return Response(ApplicationSerializer(selectors.application_get(member=member, application_id=int(pk))).data)
