"""Staff API for roster imports (/api/v1/staff/rosters/).

- POST   /staff/rosters/                 multipart {scheme, organisation, file} -> 202 {id, status, ...}
- GET    /staff/rosters/                 the officer's imports, newest first
- GET    /staff/rosters/{id}/            progress: {status, percent, rows_done, rows_total, errors_count,
                                         new_members, matched_members, enrolments_to_write, failure,
                                         finished, error_report_url}
- POST   /staff/rosters/{id}/confirm/    -> 202; 409 unless the check found no errors
- GET    /staff/rosters/{id}/errors/     the error report (CSV, formula-safe, IDs masked); 404 when none
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from portal.errors import NotFound
from portal.members.api import StaffAccess
from portal.serializers import Serializer
from portal.uploads import private_file_response

from . import selectors, services


class RosterUploadSerializer(Serializer):
    scheme = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    organisation = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    file = serializers.FileField()


class RosterSerializer(Serializer):
    id = serializers.IntegerField()
    scheme = serializers.IntegerField(source="scheme_id")
    scheme_title = serializers.CharField(source="scheme.title")
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    file_name = serializers.CharField(source="original_name")
    created_at = serializers.DateTimeField()
    status = serializers.SerializerMethodField()
    status_display = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    rows_done = serializers.SerializerMethodField()
    rows_total = serializers.SerializerMethodField()
    errors_count = serializers.SerializerMethodField()
    new_members = serializers.SerializerMethodField()
    matched_members = serializers.SerializerMethodField()
    enrolments_to_write = serializers.SerializerMethodField()
    failure = serializers.SerializerMethodField()
    finished = serializers.SerializerMethodField()
    error_report_url = serializers.SerializerMethodField()

    def _progress(self, roster) -> selectors.RosterProgress:
        cache = self.context.setdefault("progress", {})
        if roster.pk not in cache:
            cache[roster.pk] = selectors.roster_progress(roster)
        return cache[roster.pk]

    def get_status(self, roster) -> str:
        return self._progress(roster).status

    def get_status_display(self, roster) -> str:
        return self._progress(roster).status_display

    def get_percent(self, roster) -> int:
        return self._progress(roster).percent

    def get_rows_done(self, roster) -> int:
        return self._progress(roster).rows_done

    def get_rows_total(self, roster) -> int:
        return self._progress(roster).rows_total

    def get_errors_count(self, roster) -> int:
        return self._progress(roster).errors_count

    def get_new_members(self, roster) -> int:
        return self._progress(roster).new_members

    def get_matched_members(self, roster) -> int:
        return self._progress(roster).matched_members

    def get_enrolments_to_write(self, roster) -> int:
        return self._progress(roster).enrolments_to_write

    def get_failure(self, roster) -> str:
        return self._progress(roster).failure

    def get_finished(self, roster) -> bool:
        return self._progress(roster).finished

    def get_error_report_url(self, roster) -> str | None:
        if not self._progress(roster).has_error_report:
            return None
        return reverse("staff-roster-errors", kwargs={"pk": roster.pk}, request=self.context.get("request"))


@extend_schema(tags=["staff"])
class StaffRosterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [StaffAccess]
    serializer_class = RosterSerializer

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return selectors.roster_list_for_staff(actor=self.request.user)

    def get_object(self):
        return selectors.roster_get_for_staff(actor=self.request.user, roster_id=int(self.kwargs["pk"]))

    @extend_schema(request={"multipart/form-data": RosterUploadSerializer},
                   responses={202: RosterSerializer})
    def create(self, request, *args, **kwargs):
        serializer = RosterUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        roster = services.roster_upload(actor=request.user, scheme_id=data["scheme"],
                                        organisation_id=data["organisation"], file=data["file"])
        roster = selectors.roster_get_for_staff(actor=request.user, roster_id=roster.pk)
        return Response(RosterSerializer(roster, context={"request": request}).data,
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: RosterSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        roster = services.roster_confirm(actor=request.user, roster_id=int(pk))
        roster = selectors.roster_get_for_staff(actor=request.user, roster_id=roster.pk)
        return Response(RosterSerializer(roster, context={"request": request}).data,
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(description="The error report (CSV).")})
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        roster = self.get_object()
        if not roster.error_report:
            raise NotFound(_("This roster has no error report."))
        return private_file_response(roster.error_report.name, download_name=f"roster-{roster.pk}-errors.csv")
