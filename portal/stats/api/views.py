"""Statistics API: the summary, service per asset, yearly targets, exports and export templates.
Everything is scoped to the caller's statistics subtrees; an organisation elsewhere is 404, and exports and
templates are their requester's alone (anyone else: 404)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.errors import NotFound
from portal.members import permissions
from portal.members.api import StaffAccess
from portal.members.models import Organisation
from portal.members.permissions import Action
from portal.uploads import private_file_response

from ..assets import service_per_asset
from ..exports import services as exports
from ..models import Export, ExportTemplate, Target
from ..scope import stats_organisation
from ..summary import stats_summary
from ..targets import target_set
from .serializers import (
    ExportCreateSerializer,
    ExportSerializer,
    ExportTemplateSerializer,
    PeriodQuerySerializer,
    ServicePerAssetSerializer,
    SummaryQuerySerializer,
    SummarySerializer,
    TargetQuerySerializer,
    TargetSerializer,
)


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params.dict())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema(tags=["staff"], parameters=[SummaryQuerySerializer], responses=SummarySerializer)
class SummaryView(APIView):
    """Person-times, the online share, recuperation trips and the skilled-worker share, insured person-times,
    facilities by kind, revenue and subsidy for an organisation's subtree and a period, optionally grouped;
    with the year's targets and progress."""

    permission_classes = [StaffAccess]

    def get(self, request):
        params = _query(SummaryQuerySerializer, request)
        organisation = stats_organisation(request.user, params.get("org"))
        data = stats_summary(organisation=organisation, start=params["start"], end=params["end"],
                             group_by=params.get("group_by"))
        return Response(SummarySerializer(data).data)


@extend_schema(tags=["staff"], parameters=[PeriodQuerySerializer], responses=ServicePerAssetSerializer(many=True))
class ServicePerAssetView(APIView):
    """Each facility's person-times per facility, per 10,000 yuan of book value and per m² of floor area."""

    permission_classes = [StaffAccess]

    def get(self, request):
        params = _query(PeriodQuerySerializer, request)
        organisation = stats_organisation(request.user, params.get("org"))
        rows = service_per_asset(organisation=organisation, start=params["start"], end=params["end"])
        return Response(ServicePerAssetSerializer(rows, many=True).data)


@extend_schema(tags=["staff"])
class StaffTargetViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Yearly targets of an organisation; posting a target for the same organisation, year and metric changes it."""

    permission_classes = [StaffAccess]
    serializer_class = TargetSerializer
    pagination_class = None
    queryset = Target.objects.none()

    @extend_schema(parameters=[TargetQuerySerializer])
    def list(self, request, *args, **kwargs):
        params = _query(TargetQuerySerializer, request)
        organisation = stats_organisation(request.user, params.get("org"))
        targets = Target.objects.filter(organisation=organisation).order_by("-year", "metric")
        if params.get("year"):
            targets = targets.filter(year=params["year"])
        return Response(TargetSerializer(targets, many=True).data)

    def create(self, request, *args, **kwargs):
        serializer = TargetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = Organisation.objects.filter(pk=data["organisation_id"]).first()
        if organisation is None or not permissions.can(request.user, Action.VIEW_STATS, organisation):
            raise NotFound()
        target = target_set(actor=request.user, organisation=organisation, year=data["year"], metric=data["metric"],
                            value=data["value"])
        return Response(TargetSerializer(target).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["staff"])
class ExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your exports: ask for one (202, written in the background), follow its progress, download it."""

    permission_classes = [StaffAccess]
    serializer_class = ExportSerializer
    queryset = Export.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Export.objects.none()
        return Export.objects.filter(requester=self.request.user).order_by("-created_at", "-pk")

    @extend_schema(request=ExportCreateSerializer, responses={202: ExportSerializer})
    def create(self, request):
        body = ExportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        export = exports.export_request(actor=request.user, kind=body.validated_data["kind"],
                                        fmt=body.validated_data["format"], filters=body.validated_data["filters"])
        export.refresh_from_db()
        return Response(ExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)

    def retrieve(self, request, pk=None):
        return Response(ExportSerializer(exports.export_for_requester(actor=request.user, export_id=int(pk))).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The finished file (its requester only); 410 once it has expired."""
        export = exports.export_for_download(actor=request.user, export_id=int(pk))
        return private_file_response(export.file.name, download_name=exports.export_filename(export))


@extend_schema(tags=["staff"])
class ExportTemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Saved export choices (name, kind, format, filters), re-run with one request."""

    permission_classes = [StaffAccess]
    serializer_class = ExportTemplateSerializer
    queryset = ExportTemplate.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ExportTemplate.objects.none()
        return ExportTemplate.objects.filter(owner=self.request.user).order_by("name", "pk")

    def get_object(self):
        return exports.template_for_owner(actor=self.request.user, template_id=int(self.kwargs["pk"]))

    def _save(self, request, template=None, partial=False):
        serializer = ExportTemplateSerializer(template, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def pick(name):
            return data[name] if name in data else getattr(template, name)

        return exports.template_save(actor=request.user, name=pick("name"), kind=pick("kind"), fmt=pick("format"),
                                     filters=pick("filters"), template=template)

    def create(self, request, *args, **kwargs):
        return Response(ExportTemplateSerializer(self._save(request)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        template = self._save(request, self.get_object(), partial=kwargs.get("partial", False))
        return Response(ExportTemplateSerializer(template).data)

    def perform_destroy(self, instance):
        exports.template_delete(actor=self.request.user, template=instance)

    @extend_schema(request=None, responses={202: ExportSerializer})
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        """Queue an export with this template's choices."""
        export = exports.template_run(actor=request.user, template=self.get_object())
        export.refresh_from_db()
        return Response(ExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)
