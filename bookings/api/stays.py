"""Sanatorium stays over the API: the member's own stays (book, quote, list, cancel) and the staff desk
(arrivals and departures of a day, check-in, check-out). Thin: rules live in bookings.services.stays."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.errors import NotFound
from portal.filters import query
from portal.inputs import BoundedDateField
from portal.members.api import StaffAccess
from portal.members.selectors import member_require
from portal.payments.serializers import PayableSerializerMixin
from portal.serializers import Serializer

from .. import services, stay_selectors
from ..models import MAX_ROOMS_PER_STAY, Stay, StayStatus
from ..selectors import member_for
from ..stay_filters import StaffStayDayFilter, StaffStayFilter, StayFilter

MAX_GUESTS = 40


class StayGuestSerializer(Serializer):
    name = serializers.CharField()
    is_member = serializers.BooleanField()
    dependant = serializers.IntegerField(source="dependant_id", allow_null=True)
    nights = serializers.IntegerField()


class StaySerializer(PayableSerializerMixin, Serializer):
    """Output only. Fields are declared rather than read off the model: a booking answers fast."""

    id = serializers.IntegerField()
    facility = serializers.IntegerField(source="room_type.facility_id")
    facility_name = serializers.CharField(source="room_type.facility.name")
    room_type = serializers.IntegerField(source="room_type_id")
    room_type_name = serializers.CharField(source="room_type.name")
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    nights = serializers.IntegerField()
    rooms = serializers.IntegerField()
    status = serializers.ChoiceField(choices=StayStatus.choices)
    hold_expires_at = serializers.DateTimeField(allow_null=True)
    amount_fen = serializers.IntegerField()
    subsidy_fen = serializers.IntegerField()
    member_share_fen = serializers.IntegerField()
    member_free_nights = serializers.IntegerField()
    currency = serializers.CharField()
    guests = StayGuestSerializer(many=True)
    cancel_deadline = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    checked_in_at = serializers.DateTimeField(allow_null=True)
    checked_out_at = serializers.DateTimeField(allow_null=True)

    def get_cancel_deadline(self, obj) -> datetime:
        return stay_selectors.stay_cancel_deadline(stay=obj)


class GuestInputSerializer(Serializer):
    type = serializers.ChoiceField(choices=[("member", _("the member")), ("dependant", _("a dependant"))])
    dependant = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                         help_text="the dependant's id (GET /api/v1/me/dependants/)")

    def validate(self, attrs):
        if attrs["type"] == "dependant" and "dependant" not in attrs:
            raise serializers.ValidationError({"dependant": [_("Name the dependant.")]})
        return attrs


class StayRequestSerializer(Serializer):
    room_type = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    check_in = BoundedDateField(help_text="the first night")
    check_out = BoundedDateField(help_text="the day of departure (after check_in)")
    rooms = serializers.IntegerField(min_value=1, max_value=MAX_ROOMS_PER_STAY)
    guests = GuestInputSerializer(many=True, help_text='the member ({"type": "member"}) and their dependants '
                                                       '({"type": "dependant", "dependant": id})')

    def validate_guests(self, guests):
        if not guests:
            raise serializers.ValidationError(_("List the guests: you and any dependants coming along."))
        if len(guests) > MAX_GUESTS:
            raise serializers.ValidationError(_("At most %(n)d guests.") % {"n": MAX_GUESTS})
        if sum(1 for g in guests if g["type"] == "member") > 1:
            raise serializers.ValidationError(_("List yourself once."))
        return guests

    def service_kwargs(self) -> dict:
        data = self.validated_data
        guests = data["guests"]
        return {"room_type_id": data["room_type"], "check_in": data["check_in"], "check_out": data["check_out"],
                "rooms": data["rooms"], "include_member": any(g["type"] == "member" for g in guests),
                "dependant_ids": [g["dependant"] for g in guests if g["type"] == "dependant"]}


class QuoteSerializer(Serializer):
    room_type = serializers.IntegerField()
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    nights = serializers.IntegerField()
    rooms = serializers.IntegerField()
    guests = serializers.ListField(child=serializers.CharField())
    amount_fen = serializers.IntegerField()
    subsidy_fen = serializers.IntegerField()
    member_share_fen = serializers.IntegerField()
    member_free_nights = serializers.IntegerField()
    currency = serializers.CharField()
    cancel_deadline = serializers.DateTimeField()


@extend_schema(tags=["stays"])
class StayViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in member's own sanatorium stays; anybody else's is 404."""

    serializer_class = StaySerializer
    filterset_class = StayFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no member
            return Stay.objects.none()
        status_filter = query(StayFilter, self.request)["status"] if self.action == "list" else None
        return stay_selectors.stay_list(member=member_require(user=self.request.user), status=status_filter or None)

    def _stay(self, member, stay_id: int):
        return StaySerializer(stay_selectors.stay_get(member=member, stay_id=stay_id)).data

    @extend_schema(request=StayRequestSerializer, responses={201: StaySerializer})
    def create(self, request):
        """Book: every night of [check_in, check_out) at once, or 409 naming the night that is not free. With a
        share to pay the stay is `pending_payment` and holds its rooms for 15 minutes; else `confirmed`."""
        serializer = StayRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = member_for(request.user)  # without the dependants member_require prefetches
        if member is None:
            raise NotFound(_("This account has no member profile."))
        member.user = request.user
        stay = services.stay_create(member=member, **serializer.service_kwargs())
        return Response(StaySerializer(stay).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StayRequestSerializer, responses=QuoteSerializer)
    @action(detail=False, methods=["post"], filterset_class=None)
    def quote(self, request):
        """The same checks and price split as booking, without booking (nothing is held)."""
        serializer = StayRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        quote = services.stay_quote(member=member_require(user=request.user), **serializer.service_kwargs())
        price = quote.price
        return Response({
            "room_type": quote.room_type.pk, "check_in": quote.check_in, "check_out": quote.check_out,
            "nights": quote.nights, "rooms": quote.rooms, "guests": [g.name for g in quote.guests],
            "amount_fen": price.amount_fen, "subsidy_fen": price.subsidy_fen,
            "member_share_fen": price.member_share_fen, "member_free_nights": price.member_free_nights,
            "currency": quote.room_type.currency, "cancel_deadline": quote.cancel_deadline})

    @extend_schema(request=None, responses=StaySerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request, pk=None):
        """Cancel before the sanatorium's deadline: the nights are freed and anything paid is refunded."""
        member = member_require(user=request.user)
        stay_selectors.stay_get(member=member, stay_id=int(pk))  # not yours: 404 first
        stay = services.stay_cancel(member=member, stay_id=int(pk))
        return Response(self._stay(member, stay.pk))


# --- staff -------------------------------------------------------------------------------------------------------

class StaffStaySerializer(StaySerializer):
    member_name = serializers.CharField(source="member.real_name")
    member_union = serializers.CharField(source="member.organisation.name")


class StayDaySerializer(Serializer):
    date = serializers.DateField()
    arrivals = StaffStaySerializer(many=True)
    departures = StaffStaySerializer(many=True)


@extend_schema(tags=["staff"])
class StaffStayViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Stays at the sanatoriums in the staff member's subtrees: the day's desk, check-in and check-out."""

    permission_classes = [StaffAccess]
    serializer_class = StaffStaySerializer
    filterset_class = StaffStayFilter

    def get_queryset(self):
        if self.action != "list":
            return stay_selectors.stays_for_staff(actor=self.request.user)
        filters = query(StaffStayFilter, self.request)
        qs = stay_selectors.stays_for_staff(actor=self.request.user, facility=filters["facility"])
        if filters["status"]:
            qs = qs.filter(status=filters["status"])
        return qs.order_by("-check_in", "-id")

    @extend_schema(parameters=[
        OpenApiParameter("date", OpenApiTypes.DATE, description="the day (YYYY-MM-DD); default today"),
        OpenApiParameter("facility", OpenApiTypes.INT, description="one of your sanatoriums (403 otherwise)"),
    ], responses=StayDaySerializer)
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def day(self, request):
        """Arrivals and departures of `date` (default today, local time)."""
        filters = query(StaffStayDayFilter, request)
        day = filters["date"] or timezone.localdate()
        arrivals, departures = stay_selectors.stays_arriving_and_leaving_for_staff(
            actor=request.user, day=day, facility=filters["facility"])
        return Response({"date": day, "arrivals": StaffStaySerializer(arrivals, many=True).data,
                         "departures": StaffStaySerializer(departures, many=True).data})

    def _desk(self, operation, pk):
        self.get_object()  # a stay outside the actor's unions is 404
        stay = operation(actor=self.request.user, stay_id=int(pk))
        return Response(StaffStaySerializer(stay_selectors.staff_stay_get(actor=self.request.user,
                                                                          stay_id=stay.pk)).data)

    @extend_schema(request=None, responses=StaffStaySerializer)
    @action(detail=True, methods=["post"], url_path="check-in", filterset_class=None)
    def check_in(self, request, pk=None):
        return self._desk(services.stay_check_in, pk)

    @extend_schema(request=None, responses=StaffStaySerializer)
    @action(detail=True, methods=["post"], url_path="check-out", filterset_class=None)
    def check_out(self, request, pk=None):
        """Records each guest's stay (with nights) in the statistics."""
        return self._desk(services.stay_check_out, pk)
