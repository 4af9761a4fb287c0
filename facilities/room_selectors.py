"""Reads of a sanatorium's room types and nights (public and staff), without N+1: availability in one query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, FilteredRelation, Min, Q, QuerySet

from portal.errors import NotFound, NotPermitted
from portal.members import permissions
from portal.members.permissions import Action

from .inventory import night_dates
from .models import Facility, FacilityKind, FacilityStatus, RoomNight, RoomType, RoomTypePhoto, SanatoriumPolicy

MAX_AVAILABILITY_NIGHTS = 120


# --- room types and nights (public) ----------------------------------------------------------------------------

def _bookable_room_types() -> QuerySet[RoomType]:
    return RoomType.objects.filter(active=True, facility__kind=FacilityKind.SANATORIUM,
                                   facility__status=FacilityStatus.OPEN)


def room_type_list(*, facility: Facility) -> QuerySet[RoomType]:
    """A sanatorium's bookable room types with their photos, cheapest first."""
    return _bookable_room_types().filter(facility=facility).select_related("facility").prefetch_related("photos")


def room_type_get(*, room_type_id: int) -> RoomType:
    room_type = _bookable_room_types().select_related("facility__organisation").prefetch_related("photos").filter(
        pk=room_type_id).first()
    if room_type is None:
        raise NotFound()
    return room_type


def room_type_summaries(*, facilities) -> dict[int, dict]:
    """Per sanatorium: how many bookable room types, and the lowest member price (one query)."""
    rows = _bookable_room_types().filter(facility__in=facilities).values("facility_id").annotate(
        room_types=Count("pk"), from_fen=Min("member_price_fen"))
    return {row["facility_id"]: {"room_types": row["room_types"], "from_fen": row["from_fen"], "currency": "CNY"}
            for row in rows}


def stay_policy_for(*, facility: Facility) -> SanatoriumPolicy | None:
    """The sanatorium's stay policy, or None when it has none (then it takes no bookings yet)."""
    return SanatoriumPolicy.objects.filter(facility=facility).first()


def room_type_nights(*, room_type: RoomType, start: date, end: date) -> dict[date, tuple[int, int]]:
    """(rooms_open, rooms_taken) for each open night of [start, end); a night missing is not open."""
    rows = RoomNight.objects.filter(room_type=room_type, date__gte=start, date__lt=end).values_list(
        "date", "rooms_open", "rooms_taken")
    return {day: (opened, taken) for day, opened, taken in rows}


@dataclass
class RoomTypeAvailability:
    room_type_id: int
    name: str
    kind: str
    beds: int
    member_price_fen: int
    companion_price_fen: int
    currency: str
    rooms_left: dict[date, int] = field(default_factory=dict)  # open nights only

    def nights(self, start: date, end: date) -> list[tuple[date, int | None]]:
        """(night, rooms left) for every night of [start, end); None where the night is not open."""
        return [(day, self.rooms_left.get(day)) for day in night_dates(start, end)]


def facility_availability(*, facility_id: int, start: date, end: date) -> list[RoomTypeAvailability]:
    """Rooms left per night of [start, end) for each bookable room type of a sanatorium, in ONE query (room types
    LEFT JOIN their nights in the range). At most MAX_AVAILABILITY_NIGHTS nights; 404 if not a sanatorium."""
    if (end - start).days > MAX_AVAILABILITY_NIGHTS or end <= start:
        raise ValueError("the availability range is 1..120 nights (the FilterSet says so to clients)")
    rows = (_bookable_room_types().filter(facility_id=facility_id)
            .annotate(night=FilteredRelation("nights", condition=Q(nights__date__gte=start, nights__date__lt=end)))
            .order_by("member_price_fen", "pk", "night__date")
            .values_list("pk", "name", "kind", "beds", "member_price_fen", "companion_price_fen", "currency",
                         "night__date", "night__rooms_open", "night__rooms_taken"))
    out: dict[int, RoomTypeAvailability] = {}
    for pk, name, kind, beds, member_price, companion_price, currency, day, opened, taken in rows:
        entry = out.get(pk)
        if entry is None:
            entry = out[pk] = RoomTypeAvailability(pk, name, kind, beds, member_price, companion_price, currency)
        if day is not None:
            entry.rooms_left[day] = max(opened - taken, 0)
    if not out and not Facility.objects.filter(pk=facility_id, kind=FacilityKind.SANATORIUM).exists():
        raise NotFound()
    return list(out.values())


# --- staff: room types ----------------------------------------------------------------------------------------

def room_type_list_for_staff(*, actor, facility: Facility | None = None) -> QuerySet[RoomType]:
    """Room types of the sanatoriums in the actor's subtrees (inactive ones included)."""
    if facility is not None and not permissions.can(actor, Action.MANAGE_FACILITY, facility):
        raise NotPermitted()  # a filter naming another union's sanatorium, as the other staff lists answer
    qs = permissions.scope(actor, Action.MANAGE_FACILITY, RoomType.objects.all(), via="facility__organisation")
    if facility is not None:
        qs = qs.filter(facility=facility)
    return qs.select_related("facility__organisation").prefetch_related("photos").order_by("facility__name", "name",
                                                                                           "pk")


def staff_room_type_get(*, actor, room_type_id: int) -> RoomType:
    room_type = room_type_list_for_staff(actor=actor).filter(pk=room_type_id).first()
    if room_type is None:
        raise NotFound()
    return room_type


def staff_room_type_photo_get(*, actor, photo_id: int) -> RoomTypePhoto:
    photo = permissions.scope(actor, Action.MANAGE_FACILITY, RoomTypePhoto.objects.all(),
                              via="room_type__facility__organisation").select_related(
        "room_type__facility__organisation").filter(pk=photo_id).first()
    if photo is None:
        raise NotFound()
    return photo
