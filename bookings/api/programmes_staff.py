"""Staff API of recuperation programmes, scoped to the staff member's subtrees: programmes and batches (set up by
the running organisation's officers), the quota tree with allocate and hand-back, the approval queue with
nominate, approve, reject, confirm, check-in and check-out, and batch rosters (JSON, CSV, XLSX)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from facilities.models import Facility, FacilityKind, RoomType
from portal.exports import export_response
from portal.filters import query
from portal.inputs import BoundedDateField
from portal.members.api import StaffAccess
from portal.members.models import Organisation
from portal.serializers import ModelSerializer, Serializer

from .. import programme_selectors as selectors
from ..models import (
    ELIGIBILITY_CATEGORIES,
    MAX_BATCH_PLACES,
    Application,
    ApplicationStatus,
    Batch,
    Programme,
    QuotaAllocation,
)
from ..services import applications as application_services
from ..services import programmes as programme_services
from ..services import quotas
from .programmes import StepSerializer

MAX_ID = 2**31 - 1


class StaffProgrammeSerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    categories = serializers.ListField(child=serializers.ChoiceField(choices=ELIGIBILITY_CATEGORIES),
                                       required=False, max_length=len(ELIGIBILITY_CATEGORIES))

    class Meta:
        model = Programme
        fields = ["id", "title", "organisation", "organisation_name", "year", "description",
                  "min_model_worker_level", "categories", "min_membership_years", "once_in_years",
                  "priority_never_been", "skilled_share_percent", "status", "created_at"]
        read_only_fields = ["created_at"]


class StaffBatchSerializer(ModelSerializer):
    programme_title = serializers.CharField(source="programme.title", read_only=True)
    sanatorium_name = serializers.CharField(source="sanatorium.name", read_only=True)
    sanatorium = serializers.PrimaryKeyRelatedField(queryset=Facility.objects.filter(kind=FacilityKind.SANATORIUM))
    places = serializers.IntegerField(min_value=1, max_value=MAX_BATCH_PLACES)
    room_type = serializers.PrimaryKeyRelatedField(queryset=RoomType.objects.all(), required=False, allow_null=True,
                                                   default=None, help_text="the room type of the block (its rooms "
                                                   "are taken on every night of the batch)")
    rooms = serializers.IntegerField(min_value=0, max_value=MAX_BATCH_PLACES, required=False, default=0)
    start_date = BoundedDateField()
    end_date = BoundedDateField()
    applications_open = BoundedDateField()
    applications_close = BoundedDateField()
    handback_cutoff = BoundedDateField()
    used = serializers.IntegerField(source="used_total", read_only=True, default=0)

    class Meta:
        model = Batch
        fields = ["id", "programme", "programme_title", "sanatorium", "sanatorium_name", "start_date", "end_date",
                  "places", "used", "participants", "route", "applications_open", "applications_close",
                  "handback_cutoff", "room_type", "rooms", "status", "cancel_reason"]
        read_only_fields = ["participants", "status", "cancel_reason"]


class AllocationSerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    depth = serializers.IntegerField(source="organisation.depth", read_only=True)
    free = serializers.IntegerField(read_only=True)
    free_for_others = serializers.IntegerField(read_only=True)

    class Meta:
        model = QuotaAllocation
        fields = ["id", "batch", "organisation", "organisation_name", "depth", "parent", "places",
                  "allocated_to_children", "used", "skilled_used", "skilled_reserved", "handed_back", "free",
                  "free_for_others"]


class AllocateSerializer(Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    places = serializers.IntegerField(min_value=1, max_value=quotas.MAX_ALLOCATION)
    skilled_reserved = serializers.IntegerField(min_value=0, max_value=quotas.MAX_ALLOCATION, required=False,
                                                help_text="default: the programme's skilled share of these places")


class HandBackSerializer(Serializer):
    places = serializers.IntegerField(min_value=1, max_value=quotas.MAX_ALLOCATION)


class ReasonSerializer(Serializer):
    reason = serializers.CharField(max_length=300)


class NominateSerializer(Serializer):
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    batch = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class StaffApplicationSerializer(ModelSerializer):
    member_name = serializers.CharField(source="member.real_name", read_only=True)
    member_number = serializers.CharField(source="member.member_number", read_only=True)
    organisation_name = serializers.CharField(source="member.organisation.name", read_only=True)
    skilled_worker = serializers.BooleanField(source="member.skilled_worker", read_only=True)
    model_worker_level = serializers.CharField(source="member.model_worker_level", read_only=True)
    programme_title = serializers.CharField(source="batch.programme.title", read_only=True)
    start_date = serializers.DateField(source="batch.start_date", read_only=True)
    end_date = serializers.DateField(source="batch.end_date", read_only=True)
    allocation_organisation = serializers.CharField(source="allocation.organisation.name", read_only=True,
                                                    default=None, allow_null=True)
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = ["id", "member", "member_name", "member_number", "organisation_name", "skilled_worker",
                  "model_worker_level", "batch", "programme_title", "start_date", "end_date", "status", "reason",
                  "never_been", "nominated", "allocation", "allocation_organisation", "skilled_place",
                  "checked_in_at", "checked_out_at", "created_at", "steps"]


class StaffBatchFilter(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(queryset=Programme.objects.all())

    class Meta:
        model = Batch
        fields: list[str] = []


class StaffAllocationFilter(django_filters.FilterSet):
    batch = django_filters.ModelChoiceFilter(queryset=Batch.objects.all())

    class Meta:
        model = QuotaAllocation
        fields: list[str] = []


class StaffApplicationFilter(django_filters.FilterSet):
    batch = django_filters.ModelChoiceFilter(queryset=Batch.objects.all())
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices,
                                         help_text="default: submitted (the approval queue)")

    class Meta:
        model = Application
        fields: list[str] = []


@extend_schema(tags=["staff"])
class StaffProgrammeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Programmes your unions run or hold places of; create and change those your unions run."""

    permission_classes = [StaffAccess]
    serializer_class = StaffProgrammeSerializer

    def get_queryset(self):
        return selectors.programme_list_for_staff(actor=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = StaffProgrammeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        programme = programme_services.programme_create(actor=request.user, organisation=data.pop("organisation"),
                                                        **data)
        return Response(StaffProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        programme = programme_services.programme_for_staff(actor=request.user, programme_id=int(kwargs["pk"]))
        serializer = StaffProgrammeSerializer(programme, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "organisation"}
        programme = programme_services.programme_update(actor=request.user, programme=programme, data=data)
        return Response(StaffProgrammeSerializer(programme).data)


@extend_schema(tags=["staff"])
class StaffBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """Batches of those programmes; create (with its root allocation and room block), cancel, the quota tree
    and the roster."""

    permission_classes = [StaffAccess]
    serializer_class = StaffBatchSerializer
    filterset_class = StaffBatchFilter

    def get_queryset(self):
        programme = query(StaffBatchFilter, self.request)["programme"] if self.action == "list" else None
        return selectors.batch_list_for_staff(actor=self.request.user, programme=programme)

    def create(self, request, *args, **kwargs):
        serializer = StaffBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        programme = programme_services.programme_for_staff(actor=request.user, programme_id=data.pop("programme").pk)
        batch = programme_services.batch_create(actor=request.user, programme=programme, **data)
        return Response(StaffBatchSerializer(selectors.batch_get_for_staff(actor=request.user, batch_id=batch.pk))
                        .data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=StaffBatchSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request, pk=None):
        """Cancel the batch: active applications end (members told), places and rooms go back."""
        self.get_object()  # 404 outside the actor's unions before the body is read
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        programme_services.batch_cancel(actor=request.user, batch_id=int(pk), reason=body.validated_data["reason"])
        return Response(StaffBatchSerializer(selectors.batch_get_for_staff(actor=request.user,
                                                                           batch_id=int(pk))).data)

    @extend_schema(responses=AllocationSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def allocations(self, request, pk=None):
        """The quota tree as your unions see it, parents before children."""
        return Response(AllocationSerializer(selectors.allocation_tree(actor=request.user, batch_id=int(pk)),
                                             many=True).data)

    @extend_schema(responses=StaffApplicationSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def roster(self, request, pk=None):
        """Who goes (approved onwards), by union."""
        return Response(StaffApplicationSerializer(selectors.batch_roster(actor=request.user, batch_id=int(pk)),
                                                   many=True).data)

    def _export(self, fmt: str, pk):
        batch = selectors.batch_get_for_staff(actor=self.request.user, batch_id=int(pk))
        header, rows = selectors.roster_rows(selectors.batch_roster(actor=self.request.user, batch_id=batch.pk))
        return export_response(fmt, f"roster-{batch.pk}-{batch.start_date:%Y%m%d}", header, rows)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="roster/csv", filterset_class=None)
    def roster_csv(self, request, pk=None):
        return self._export("csv", pk)

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                              OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="roster/xlsx", filterset_class=None)
    def roster_xlsx(self, request, pk=None):
        return self._export("xlsx", pk)


@extend_schema(tags=["staff"])
class StaffAllocationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quota allocations of your unions: allocate places to a union directly below, or hand unused ones back."""

    permission_classes = [StaffAccess]
    serializer_class = AllocationSerializer
    filterset_class = StaffAllocationFilter

    def get_queryset(self):
        batch = query(StaffAllocationFilter, self.request)["batch"] if self.action == "list" else None
        return selectors.allocation_list_for_staff(actor=self.request.user, batch=batch)

    @extend_schema(request=AllocateSerializer, responses={201: AllocationSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def allocate(self, request, pk=None):
        """Give places of this allocation to a union directly below it: 409 when they exceed its free places."""
        self.get_object()
        body = AllocateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        child = quotas.allocate(actor=request.user, allocation_id=int(pk), **body.validated_data)
        return Response(AllocationSerializer(child).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HandBackSerializer, responses=AllocationSerializer)
    @action(detail=True, methods=["post"], url_path="hand-back", filterset_class=None)
    def hand_back(self, request, pk=None):
        """Return unused places to the allocation above, before the batch's hand-back cut-off."""
        self.get_object()
        body = HandBackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(AllocationSerializer(quotas.hand_back(actor=request.user, allocation_id=int(pk),
                                                              places=body.validated_data["places"])).data)


@extend_schema(tags=["staff"])
class StaffApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The approval queue (members who have never been first) and the steps of each application."""

    permission_classes = [StaffAccess]
    serializer_class = StaffApplicationSerializer
    filterset_class = StaffApplicationFilter

    def get_queryset(self):
        if self.action != "list":
            return selectors.application_queue(actor=self.request.user, status=None)
        params = query(StaffApplicationFilter, self.request)
        return selectors.application_queue(actor=self.request.user, batch=params["batch"],
                                           status=params["status"] or ApplicationStatus.SUBMITTED)

    def _answer(self, application_id: int) -> Response:
        return Response(StaffApplicationSerializer(
            selectors.application_queue(actor=self.request.user, status=None).get(pk=application_id)).data)

    @extend_schema(request=NominateSerializer, responses={201: StaffApplicationSerializer})
    def create(self, request):
        """Nominate a member of your unions for a batch (it then waits for approval like any application)."""
        body = NominateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = application_services.application_nominate(
            actor=request.user, member_id=body.validated_data["member"], batch_id=body.validated_data["batch"])
        response = self._answer(application.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    def _act(self, fn, pk, **kwargs) -> Response:
        application = fn(actor=self.request.user, application_id=int(pk), **kwargs)
        return self._answer(application.pk)

    @extend_schema(request=None, responses=StaffApplicationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def approve(self, request, pk=None):
        """The union's step: takes a quota place (409 when none is free for the member's unions)."""
        return self._act(application_services.application_approve, pk)

    @extend_schema(request=ReasonSerializer, responses=StaffApplicationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def reject(self, request, pk=None):
        application_services.application_for_staff(actor=request.user, application_id=int(pk))
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._act(application_services.application_reject, pk, reason=body.validated_data["reason"])

    @extend_schema(request=None, responses=StaffApplicationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def confirm(self, request, pk=None):
        """The organisers' step: the participant is placed in the batch's room block."""
        return self._act(application_services.application_confirm, pk)

    @extend_schema(request=None, responses=StaffApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="check-in", filterset_class=None)
    def check_in(self, request, pk=None):
        return self._act(application_services.participant_check_in, pk)

    @extend_schema(request=None, responses=StaffApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="check-out", filterset_class=None)
    def check_out(self, request, pk=None):
        """Completes the trip and counts it (a stay record flagged as a programme trip)."""
        return self._act(application_services.participant_check_out, pk)
