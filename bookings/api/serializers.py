"""Serializers shared by the member and staff views (shape only; no rules here)."""

from __future__ import annotations

from datetime import datetime

from rest_framework import serializers

from portal.payments.serializers import PayableSerializerMixin
from portal.serializers import ModelSerializer, Serializer

from ..models import Activity, Booking, Session, WalkIn


class ActivityBriefSerializer(ModelSerializer):
    facility_name = serializers.CharField(source="facility.name", read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "title", "kind", "category", "facility", "facility_name", "price_fen", "currency",
                  "waitlist_enabled", "ballot", "max_seats_per_booking"]


class SessionSerializer(ModelSerializer):
    activity = ActivityBriefSerializer(read_only=True)
    venue_name = serializers.CharField(source="venue.name", read_only=True, default=None)
    remaining = serializers.IntegerField(read_only=True)
    price = serializers.IntegerField(source="activity.price_fen", read_only=True,
                                     help_text="price per seat in fen (CNY)")
    bookable = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    reason_text = serializers.SerializerMethodField()
    mode = serializers.SerializerMethodField()
    opens_at = serializers.SerializerMethodField()
    places = serializers.SerializerMethodField()
    queue_place = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = ["id", "activity", "venue", "venue_name", "start", "end", "status", "capacity", "booked",
                  "remaining", "places", "price", "bookable", "reason", "reason_text", "mode", "opens_at",
                  "queue_place"]

    def _verdict(self, obj):
        return self.context["availability"][obj.pk]

    def get_bookable(self, obj) -> bool:
        return self._verdict(obj).bookable

    def get_reason(self, obj) -> str:
        return self._verdict(obj).reason

    def get_reason_text(self, obj) -> str:
        return self._verdict(obj).message

    def get_mode(self, obj) -> str:
        """book | waitlist (full, joining the waitlist) | ballot (register interest for the draw)."""
        return self._verdict(obj).mode

    def get_opens_at(self, obj) -> datetime | None:
        verdict = self._verdict(obj)
        return verdict.opens_at

    def get_places(self, obj) -> int | None:
        """Places a new booker can take now, by the booking rules: 0 while freed seats are the waitlist's,
        null once booking has closed or the session is cancelled (`remaining` is the raw seat count)."""
        return self._verdict(obj).places

    def get_queue_place(self, obj) -> int | None:
        """The caller's place in this session's waitlist (1 = offered the next free seat), if waiting."""
        return self._verdict(obj).queue_place


class BookingSerializer(PayableSerializerMixin, ModelSerializer):
    session_start = serializers.DateTimeField(source="session.start", read_only=True)
    session_end = serializers.DateTimeField(source="session.end", read_only=True)
    activity_title = serializers.CharField(source="session.activity.title", read_only=True)
    facility_name = serializers.CharField(source="session.activity.facility.name", read_only=True)
    ticket_short = serializers.CharField(source="ticket_short_display", read_only=True,
                                         help_text="the ticket's typed form (e.g. 7KQ4-M2XD) for when a QR will not "
                                                   "scan; empty without a ticket")
    queue_place = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = ["id", "session", "session_start", "session_end", "activity_title", "facility_name", "seats",
                  "status", "amount_fen", "currency", "hold_expires_at", "offer_expires_at", "ticket_code",
                  "ticket_short", "queue_place", "checked_in_at", "attendance", "refund_status", "cancelled_at",
                  "created_at", "payment"]

    def get_queue_place(self, obj) -> int | None:
        """Place in the waitlist queue (1 = offered the next free seat); null unless waitlisted."""
        return getattr(obj, "queue_place", None)


class BookingCreateSerializer(Serializer):
    session = serializers.IntegerField(min_value=1)
    seats = serializers.IntegerField(default=1)
    waitlist = serializers.BooleanField(default=False)


class StaffBookingSerializer(BookingSerializer):
    member_name = serializers.CharField(source="member.real_name", read_only=True)
    member_number = serializers.CharField(source="member.member_number", read_only=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "member_name", "member_number", "queue_position",
                  "ballot_rank", "ballot_weight"]


class WalkInSerializer(ModelSerializer):
    class Meta:
        model = WalkIn
        fields = ["id", "facility", "venue", "session", "date", "persons", "note", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"date": {"required": False}}
