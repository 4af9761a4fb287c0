"""Staff API: activities, session generation and changes, bookings per session, check-in and walk-ins."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from facilities.models import Facility, Venue
from facilities.selectors import staff_facility_get
from portal.errors import NotPermitted
from portal.members import permissions
from portal.members.api import StaffAccess
from portal.members.permissions import Action

from .. import selectors, services
from ..models import Activity, Session, WalkIn
from .serializers import StaffBookingSerializer, WalkInSerializer


def _filter_target(request, name: str, model, action: Action):
    """A list filter naming an object outside the staff member's subtrees is refused (403), not emptied."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError({name: [_("Enter a whole number.")]})
    target = get_object_or_404(model, pk=int(raw))
    if not permissions.can(request.user, action, target):
        raise NotPermitted()
    return target


class StaffActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Activity
        fields = ["id", "facility", "venue", "kind", "title", "category", "description", "price_fen", "currency",
                  "members_only", "min_age", "max_age", "member_categories", "max_seats_per_booking",
                  "max_active_per_week", "opens_hours_before", "closes_hours_before", "cancel_hours_before",
                  "waitlist_enabled", "ballot", "published"]
        read_only_fields = ["currency"]


class GenerateSerializer(serializers.Serializer):
    rrule = serializers.CharField(max_length=500, help_text='RFC 5545 RRULE, e.g. "FREQ=WEEKLY;BYDAY=TU;COUNT=12"')
    first_start = serializers.DateTimeField(help_text="first occurrence; local time Asia/Shanghai if no offset")
    duration_minutes = serializers.IntegerField()
    capacity = serializers.IntegerField(required=False)
    venue = serializers.PrimaryKeyRelatedField(queryset=Venue.objects.all(), required=False, allow_null=True)
    exdates = serializers.ListField(child=serializers.DateField(), required=False, default=list,
                                    help_text="local dates to skip (holidays)")


class StaffSessionSerializer(serializers.ModelSerializer):
    remaining = serializers.IntegerField(read_only=True)

    class Meta:
        model = Session
        fields = ["id", "activity", "venue", "start", "end", "capacity", "booked", "remaining", "status",
                  "cancel_reason", "ballot_seed", "ballot_drawn_at"]


class CapacitySerializer(serializers.Serializer):
    capacity = serializers.IntegerField()


class MoveSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    venue = serializers.PrimaryKeyRelatedField(queryset=Venue.objects.all(), required=False, allow_null=True)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


@extend_schema(tags=["staff"], parameters=[OpenApiParameter("facility", int)])
class StaffActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                           mixins.UpdateModelMixin, viewsets.GenericViewSet):
    permission_classes = [StaffAccess]
    serializer_class = StaffActivitySerializer

    def get_queryset(self):
        qs = permissions.scope(self.request.user, Action.MANAGE_ACTIVITY, Activity.objects.select_related("facility"),
                               via="facility__organisation")
        facility = _filter_target(self.request, "facility", Facility, Action.MANAGE_ACTIVITY)
        if facility is not None:
            qs = qs.filter(facility=facility)
        return qs.order_by("facility_id", "title", "id")

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
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        """Create sessions from a recurrence rule with exception dates (at most 500)."""
        activity = self.get_object()
        serializer = GenerateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sessions = services.sessions_generate(actor=request.user, activity=activity, **serializer.validated_data)
        return Response(StaffSessionSerializer(sessions, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["staff"], parameters=[OpenApiParameter("activity", int)])
class StaffSessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [StaffAccess]
    serializer_class = StaffSessionSerializer

    def get_queryset(self):
        qs = permissions.scope(self.request.user, Action.MANAGE_ACTIVITY, Session.objects.all(),
                               via="activity__facility__organisation")
        activity = _filter_target(self.request, "activity", Activity, Action.MANAGE_ACTIVITY)
        if activity is not None:
            qs = qs.filter(activity=activity)
        return qs.order_by("start", "id")

    @extend_schema(request=CapacitySerializer)
    @action(detail=True, methods=["post"])
    def capacity(self, request, pk=None):
        serializer = CapacitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_change_capacity(actor=request.user, session_id=int(pk),
                                                   capacity=serializer.validated_data["capacity"])
        return Response(StaffSessionSerializer(session).data)

    @extend_schema(request=MoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_move(actor=request.user, session_id=int(pk), **serializer.validated_data)
        return Response(StaffSessionSerializer(session).data)

    @extend_schema(request=CancelSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_cancel(actor=request.user, session_id=int(pk),
                                          reason=serializer.validated_data["reason"])
        return Response(StaffSessionSerializer(session).data)

    @extend_schema(responses=StaffBookingSerializer(many=True))
    @action(detail=True, methods=["get"])
    def bookings(self, request, pk=None):
        qs = selectors.session_bookings_for_staff(actor=request.user, session_id=int(pk))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(StaffBookingSerializer(page, many=True).data)


class CheckinSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)


@extend_schema(tags=["staff"])
class StaffCheckinViewSet(viewsets.GenericViewSet):
    """POST {"code"}: check a ticket in at one of your facilities (once)."""

    permission_classes = [StaffAccess]
    serializer_class = CheckinSerializer

    @extend_schema(request=CheckinSerializer, responses=StaffBookingSerializer)
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
        return permissions.scope(self.request.user, Action.CHECK_IN, WalkIn.objects.all(),
                                 via="facility__organisation").order_by("-date", "-id")

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


