"""Staff API: activities, session generation and changes, bookings per session, check-in and walk-ins."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from facilities.models import Facility, Venue
from facilities.selectors import staff_facility_get
from portal.filters import query
from portal.inputs import MAX_PEOPLE, BoundedDateField, BoundedDateTimeField
from portal.members.api import StaffAccess
from portal.members.permissions import Action
from portal.serializers import ModelSerializer, Serializer

from .. import selectors, services
from ..filters import StaffActivityFilter, StaffSessionFilter
from ..models import Activity, Session
from ..rules import HOURS_BEFORE_FIELDS, MAX_HOURS_BEFORE
from .serializers import StaffBookingSerializer, WalkInSerializer


class StaffActivitySerializer(ModelSerializer):
    class Meta:
        model = Activity
        fields = ["id", "facility", "venue", "kind", "title", "category", "description", "price_fen", "currency",
                  "members_only", "min_age", "max_age", "member_categories", "max_seats_per_booking",
                  "max_active_per_week", "opens_hours_before", "closes_hours_before", "cancel_hours_before",
                  "waitlist_enabled", "ballot", "published"]
        read_only_fields = ["currency"]
        extra_kwargs = {name: {"max_value": MAX_HOURS_BEFORE} for name in HOURS_BEFORE_FIELDS}


class GenerateSerializer(Serializer):
    rrule = serializers.CharField(max_length=500, help_text='RFC 5545 RRULE, e.g. "FREQ=WEEKLY;BYDAY=TU;COUNT=12"')
    first_start = BoundedDateTimeField(help_text="first occurrence; local time Asia/Shanghai if no offset")
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    capacity = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PEOPLE)
    venue = serializers.PrimaryKeyRelatedField(queryset=Venue.objects.all(), required=False, allow_null=True)
    exdates = serializers.ListField(child=BoundedDateField(), required=False, default=list, max_length=500,
                                    help_text="local dates to skip (holidays)")


class StaffSessionSerializer(ModelSerializer):
    remaining = serializers.IntegerField(read_only=True)

    class Meta:
        model = Session
        fields = ["id", "activity", "venue", "start", "end", "capacity", "booked", "remaining", "status",
                  "cancel_reason", "ballot_seed", "ballot_drawn_at"]


class CapacitySerializer(Serializer):
    capacity = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE)


class MoveSerializer(Serializer):
    start = BoundedDateTimeField()
    end = BoundedDateTimeField()
    venue = serializers.PrimaryKeyRelatedField(queryset=Venue.objects.all(), required=False, allow_null=True)


class CancelSerializer(Serializer):
    reason = serializers.CharField(max_length=300)


@extend_schema(tags=["staff"])
class StaffActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                           mixins.UpdateModelMixin, viewsets.GenericViewSet):
    permission_classes = [StaffAccess]
    serializer_class = StaffActivitySerializer
    filterset_class = StaffActivityFilter

    def get_queryset(self):
        filters = query(StaffActivityFilter, self.request) if self.action == "list" else {}
        return selectors.activity_list_for_staff(actor=self.request.user, **filters)

    def create(self, request, *args, **kwargs):
        serializer = StaffActivitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        facility = staff_facility_get(actor=request.user, facility_id=data.pop("facility").pk,
                                      action=Action.MANAGE_ACTIVITY)
        activity = services.activity_create(actor=request.user, facility=facility, **data)
        return Response(StaffActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        activity = self.get_object()
        serializer = StaffActivitySerializer(activity, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "facility"}
        return Response(StaffActivitySerializer(services.activity_update(actor=request.user, activity=activity,
                                                                         data=data)).data)

    @extend_schema(request=GenerateSerializer, responses={201: StaffSessionSerializer(many=True)})
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def generate(self, request, pk=None):
        """Create sessions from a recurrence rule with exception dates (at most 500)."""
        activity = self.get_object()
        serializer = GenerateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sessions = services.sessions_generate(actor=request.user, activity=activity, **serializer.validated_data)
        return Response(StaffSessionSerializer(sessions, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["staff"])
class StaffSessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [StaffAccess]
    serializer_class = StaffSessionSerializer
    filterset_class = StaffSessionFilter

    def get_queryset(self):
        filters = query(StaffSessionFilter, self.request) if self.action == "list" else {}
        return selectors.session_list_for_staff(actor=self.request.user, **filters)

    @extend_schema(request=CapacitySerializer)
    @action(detail=True, methods=["post"])
    def capacity(self, request, pk=None):
        self.get_object()  # a session outside the actor's unions is 404 before the body is read
        serializer = CapacitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_change_capacity(actor=request.user, session_id=int(pk),
                                                   capacity=serializer.validated_data["capacity"])
        return Response(StaffSessionSerializer(session).data)

    @extend_schema(request=MoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        self.get_object()  # a session outside the actor's unions is 404 before the body is read
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_move(actor=request.user, session_id=int(pk), **serializer.validated_data)
        return Response(StaffSessionSerializer(session).data)

    @extend_schema(request=CancelSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        self.get_object()  # a session outside the actor's unions is 404 before the body is read
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_cancel(actor=request.user, session_id=int(pk),
                                          reason=serializer.validated_data["reason"])
        return Response(StaffSessionSerializer(session).data)

    @extend_schema(responses=StaffBookingSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None)
    def bookings(self, request, pk=None):
        qs = selectors.session_bookings_for_staff(actor=request.user, session_id=int(pk))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(StaffBookingSerializer(page, many=True).data)


class CheckinSerializer(Serializer):
    code = serializers.CharField(max_length=64)


@extend_schema(tags=["staff"])
class StaffCheckinViewSet(viewsets.GenericViewSet):
    """POST {"code"}: check a ticket in at one of your facilities (once)."""

    permission_classes = [StaffAccess]
    serializer_class = CheckinSerializer

    @extend_schema(request=CheckinSerializer, responses={200: StaffBookingSerializer})
    def create(self, request):
        serializer = CheckinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = services.checkin(actor=request.user, code=serializer.validated_data["code"])
        return Response(StaffBookingSerializer(booking).data, status=status.HTTP_200_OK)


@extend_schema(tags=["staff"])
class StaffWalkInViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Head counts without bookings (library visits, open performances), counted as offline service."""

    permission_classes = [StaffAccess]
    serializer_class = WalkInSerializer

    def get_queryset(self):
        return selectors.walkin_list_for_staff(actor=self.request.user)

    def create(self, request):
        serializer = WalkInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        facility: Facility = staff_facility_get(actor=request.user, facility_id=data.pop("facility").pk,
                                                action=Action.CHECK_IN)
        walkin = services.walkin_record(actor=request.user, facility=facility, persons=data["persons"],
                                        day=data.get("date"), venue=data.get("venue"), session=data.get("session"),
                                        note=data.get("note", ""))
        return Response(WalkInSerializer(walkin).data, status=status.HTTP_201_CREATED)


