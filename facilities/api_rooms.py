"""Sanatorium rooms over the API: public availability, and the staff API for room types, their photos,
their nights (open, close, resize) and the sanatorium's stay policy. Thin: rules live in facilities.rooms,
facilities.inventory and facilities.room_selectors."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.filters import query
from portal.inputs import BoundedDateField
from portal.members.api import StaffAccess
from portal.serializers import ModelSerializer, Serializer

from . import inventory, room_selectors, rooms, selectors
from .filters import AvailabilityFilter, StaffRoomTypeFilter
from .models import MAX_ROOMS_PER_TYPE, RoomType, RoomTypePhoto, SanatoriumPolicy


class RoomTypePhotoSerializer(ModelSerializer):
    class Meta:
        model = RoomTypePhoto
        fields = ["id", "image", "caption", "position"]


class RoomTypeSerializer(ModelSerializer):
    photos = RoomTypePhotoSerializer(many=True, read_only=True)

    class Meta:
        model = RoomType
        fields = ["id", "facility", "kind", "name", "rooms", "beds", "member_price_fen", "companion_price_fen",
                  "currency", "description", "active", "photos"]
        read_only_fields = ["currency"]
        validators: list = []  # (facility, name) uniqueness is the service's field error


NIGHT_RANGE_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="first night (YYYY-MM-DD); default today"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="the night after the last (like a check-out date); at "
                                                          "most 120 nights after start; default 30 after start"),
]


class RoomTypeAvailabilitySerializer(Serializer):
    room_type = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    beds = serializers.IntegerField()
    member_price_fen = serializers.IntegerField()
    companion_price_fen = serializers.IntegerField()
    currency = serializers.CharField()
    rooms_left = serializers.ListField(child=serializers.IntegerField(allow_null=True), help_text=(
        "rooms left on each night of `dates`, in the same order; null: the night is not open for booking"))


class AvailabilitySerializer(Serializer):
    facility = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    dates = serializers.ListField(child=serializers.DateField(), help_text="every night of [start, end)")
    room_types = RoomTypeAvailabilitySerializer(many=True)


def availability_response(request, facility_id: int) -> Response:
    """GET /facilities/{id}/availability/?start=&end= (wired as an action of the facility viewset). Built as
    plain lists: up to 6 room types x 120 nights per answer (AvailabilitySerializer documents the shape)."""
    params = query(AvailabilityFilter, request)
    start, end = params["start"], params["end"]
    room_types = room_selectors.facility_availability(facility_id=facility_id, start=start, end=end)
    days = inventory.night_dates(start, end)
    return Response({"facility": facility_id, "start": start, "end": end, "dates": days, "room_types": [{
        "room_type": rt.room_type_id, "name": rt.name, "kind": rt.kind, "beds": rt.beds,
        "member_price_fen": rt.member_price_fen, "companion_price_fen": rt.companion_price_fen,
        "currency": rt.currency, "rooms_left": [rt.rooms_left.get(day) for day in days],
    } for rt in room_types]})


# --- staff ---------------------------------------------------------------------------------------------------

class NightRangeSerializer(Serializer):
    start = BoundedDateField(help_text="first night")
    end = BoundedDateField(help_text="the night after the last (exclusive); at most 400 nights after start")
    rooms = serializers.IntegerField(min_value=0, max_value=MAX_ROOMS_PER_TYPE)


class NightCloseSerializer(Serializer):
    start = BoundedDateField(help_text="first night")
    end = BoundedDateField(help_text="the night after the last (exclusive)")


class NightsChangeSerializer(Serializer):
    nights = serializers.IntegerField(help_text="nights written")
    occupied = serializers.ListField(child=serializers.DateField(),
                                     help_text="nights that still have guests (a close keeps their rooms)")


class StaffNightSerializer(Serializer):
    date = serializers.DateField()
    rooms_open = serializers.IntegerField()
    rooms_taken = serializers.IntegerField()


@extend_schema(tags=["staff"])
class StaffRoomTypeViewSet(viewsets.ModelViewSet):
    """Room types of the sanatoriums the staff member manages, and their nights."""

    permission_classes = [StaffAccess]
    serializer_class = RoomTypeSerializer
    filterset_class = StaffRoomTypeFilter

    def get_queryset(self):
        filters = query(StaffRoomTypeFilter, self.request) if self.action == "list" else {}
        return room_selectors.room_type_list_for_staff(actor=self.request.user, facility=filters.get("facility"))

    def create(self, request, *args, **kwargs):
        serializer = RoomTypeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        facility = selectors.staff_facility_get(actor=request.user, facility_id=data.pop("facility").pk)
        room_type = rooms.room_type_create(actor=request.user, facility=facility, data=data)
        return Response(RoomTypeSerializer(room_type).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        room_type = self.get_object()
        serializer = RoomTypeSerializer(room_type, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "facility"}
        room_type = rooms.room_type_update(actor=request.user, room_type=room_type, data=data)
        return Response(RoomTypeSerializer(room_type).data)

    def destroy(self, request, *args, **kwargs):
        rooms.room_type_delete(actor=request.user, room_type=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(parameters=NIGHT_RANGE_PARAMETERS, responses=StaffNightSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def nights(self, request, pk=None):
        """Rooms open and taken on each open night of [start, end) (at most 120 nights)."""
        room_type = self.get_object()
        params = query(AvailabilityFilter, request)
        nights = room_selectors.room_type_nights(room_type=room_type, start=params["start"], end=params["end"])
        return Response([{"date": day, "rooms_open": opened, "rooms_taken": taken}
                         for day, (opened, taken) in sorted(nights.items())])

    def _change(self, request, pk, serializer_class, operation):
        room_type = self.get_object()  # outside the actor's unions: 404 before the body is read
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = operation(actor=request.user, room_type=room_type, **serializer.validated_data)
        return Response({"nights": change.nights, "occupied": change.occupied})

    @extend_schema(request=NightRangeSerializer, responses=NightsChangeSerializer)
    @action(detail=True, methods=["post"], url_path="nights/open", filterset_class=None)
    def nights_open(self, request, pk=None):
        """Open every night of [start, end) with `rooms` rooms, or set the count of nights already open."""
        return self._change(request, pk, NightRangeSerializer, inventory.room_nights_open)

    @extend_schema(request=NightCloseSerializer, responses=NightsChangeSerializer)
    @action(detail=True, methods=["post"], url_path="nights/close", filterset_class=None)
    def nights_close(self, request, pk=None):
        """Close [start, end) to new bookings; guests already booked keep their rooms (listed in `occupied`)."""
        return self._change(request, pk, NightCloseSerializer, inventory.room_nights_close)

    @extend_schema(request=NightRangeSerializer, responses=NightsChangeSerializer)
    @action(detail=True, methods=["post"], url_path="nights/resize", filterset_class=None)
    def nights_resize(self, request, pk=None):
        """Set the rooms open on the open nights of [start, end); never below what guests hold (409)."""
        return self._change(request, pk, NightRangeSerializer, inventory.room_nights_resize)


class RoomPhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField()
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True)


@extend_schema(tags=["staff"])
class StaffRoomTypePhotoViewSet(viewsets.GenericViewSet):
    """POST multipart {image, caption} to /staff/room-types/{id}/photos/; DELETE .../photos/{photo_id}/."""

    permission_classes = [StaffAccess]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = RoomPhotoUploadSerializer

    def create(self, request, room_type_pk=None):
        room_type = room_selectors.staff_room_type_get(actor=request.user, room_type_id=int(room_type_pk))
        serializer = RoomPhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = rooms.room_type_photo_add(actor=request.user, room_type=room_type, **serializer.validated_data)
        return Response(RoomTypePhotoSerializer(photo, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    def destroy(self, request, room_type_pk=None, pk=None):
        room_type = room_selectors.staff_room_type_get(actor=request.user, room_type_id=int(room_type_pk))
        photo = get_object_or_404(RoomTypePhoto, pk=pk, room_type=room_type)
        rooms.room_type_photo_delete(actor=request.user, photo=photo)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StayPolicySerializer(ModelSerializer):
    class Meta:
        model = SanatoriumPolicy
        fields = ["max_stay_nights", "booking_horizon_days", "cancel_deadline_hours", "free_member_nights_per_year",
                  "member_subsidy_percent", "companion_subsidy_percent"]


@extend_schema(tags=["staff"])
class StaffStayPolicyView(APIView):
    """GET / PUT a sanatorium's stay rules: longest stay, horizon, cancellation deadline and subsidy split."""

    permission_classes = [StaffAccess]
    serializer_class = StayPolicySerializer

    @extend_schema(responses=StayPolicySerializer)
    def get(self, request, facility_pk=None):
        facility = selectors.staff_facility_get(actor=request.user, facility_id=int(facility_pk))
        return Response(StayPolicySerializer(rooms.sanatorium_policy_get(facility=facility)).data)

    @extend_schema(request=StayPolicySerializer, responses=StayPolicySerializer)
    def put(self, request, facility_pk=None):
        facility = selectors.staff_facility_get(actor=request.user, facility_id=int(facility_pk))
        serializer = StayPolicySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = rooms.sanatorium_policy_update(actor=request.user, facility=facility,
                                                data=dict(serializer.validated_data))
        return Response(StayPolicySerializer(policy).data)
