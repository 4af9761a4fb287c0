"""Reads behind the sanatorium pages (member and console): room types, their nights by month, a member's stays
and the day's arrivals and departures. Scoped reads answer NotFound outside the actor's subtree; no N+1.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count, Min, Prefetch, Q, QuerySet

from facilities.models import FacilityKind, RoomNight, RoomType, RoomTypePhoto
from facilities.rooms import sanatorium_policy_get
from portal.errors import NotFound
from portal.members import permissions
from portal.members.models import Member
from portal.members.permissions import Action

from . import stay_rules
from .models import Stay, StayGuest, StayStatus

_PHOTOS = Prefetch("photos", queryset=RoomTypePhoto.objects.order_by("position", "id"))
_GUESTS = Prefetch("guests", queryset=StayGuest.objects.order_by("-is_member", "id"))


# --- public: room types and nights -------------------------------------------------------------------------------

def _bookable_room_types() -> QuerySet[RoomType]:
    return RoomType.objects.filter(active=True, facility__kind=FacilityKind.SANATORIUM)


def room_type_summaries(*, facilities) -> dict[int, dict]:
    """Per sanatorium: how many bookable room types and the lowest member price a night (one query)."""
    rows = (_bookable_room_types().filter(facility__in=facilities).values("facility_id")
            .annotate(n=Count("id"), low=Min("member_price_fen"), currency=Min("currency")))
    return {r["facility_id"]: {"room_types": r["n"], "from_fen": r["low"], "currency": r["currency"]} for r in rows}


def room_type_list(*, facility) -> QuerySet[RoomType]:
    return _bookable_room_types().filter(facility=facility).prefetch_related(_PHOTOS).order_by(
        "member_price_fen", "id")


def room_type_get(*, room_type_id: int) -> RoomType:
    """A bookable room type of a sanatorium, with its facility and photos; NotFound otherwise."""
    room_type = _bookable_room_types().select_related("facility__organisation").prefetch_related(_PHOTOS).filter(
        pk=room_type_id).first()
    if room_type is None:
        raise NotFound()
    return room_type


def stay_policy_for(*, facility):
    return sanatorium_policy_get(facility=facility)


def room_type_nights(*, room_type: RoomType, start: date, end: date) -> dict[date, tuple[int, int]]:
    """{night: (rooms open, rooms taken)} for the nights of [start, end) that exist (one query)."""
    rows = RoomNight.objects.filter(room_type=room_type, date__gte=start, date__lt=end).values_list(
        "date", "rooms_open", "rooms_taken")
    return {night: (opened, taken) for night, opened, taken in rows}


# --- a member's stays ----------------------------------------------------------------------------------------------

def _stays() -> QuerySet[Stay]:
    return Stay.objects.select_related("room_type__facility__organisation", "member__user", "payment").prefetch_related(
        _GUESTS)


def stay_list(*, member: Member) -> QuerySet[Stay]:
    return _stays().filter(member=member).order_by("-check_in", "-id")


def stay_get(*, member: Member, stay_id: int) -> Stay:
    stay = _stays().filter(member=member, pk=stay_id).first()
    if stay is None:
        raise NotFound()
    return stay


def stay_cancel_deadline(*, stay: Stay) -> datetime:
    return stay_rules.cancel_deadline(check_in=stay.check_in,
                                      policy=sanatorium_policy_get(facility=stay.room_type.facility))


# --- staff ---------------------------------------------------------------------------------------------------------

def room_type_list_for_staff(*, actor) -> QuerySet[RoomType]:
    return permissions.scope(actor, Action.MANAGE_FACILITY, RoomType.objects.select_related("facility"),
                             via="facility__organisation").order_by("facility__name", "member_price_fen", "id")


def staff_room_type_get(*, actor, room_type_id: int) -> RoomType:
    room_type = RoomType.objects.select_related("facility__organisation").prefetch_related(_PHOTOS).filter(
        pk=room_type_id).first()
    if room_type is None or not permissions.can(actor, Action.MANAGE_FACILITY, room_type):
        raise NotFound()
    return room_type


def staff_room_type_photo_get(*, actor, photo_id: int) -> RoomTypePhoto:
    photo = RoomTypePhoto.objects.select_related("room_type__facility__organisation").filter(pk=photo_id).first()
    if photo is None or not permissions.can(actor, Action.MANAGE_FACILITY, photo):
        raise NotFound()
    return photo


_DESK_STATUSES = (StayStatus.CONFIRMED, StayStatus.CHECKED_IN, StayStatus.CHECKED_OUT, StayStatus.PENDING_PAYMENT)


def stays_arriving_and_leaving_for_staff(*, actor, day: date) -> tuple[list[Stay], list[Stay]]:
    """Stays arriving on `day` and stays leaving on it (or overdue: still checked in after their check-out) at
    the sanatoriums of the actor's subtrees."""
    qs = permissions.scope(actor, Action.CHECK_IN, _stays(), via="room_type__facility__organisation").filter(
        status__in=_DESK_STATUSES).filter(Q(check_in=day) | Q(check_out=day)).order_by(
        "room_type__facility__name", "member__real_name", "id")
    stays = list(qs)
    return [s for s in stays if s.check_in == day], [s for s in stays if s.check_out == day]


def staff_stay_get(*, actor, stay_id: int) -> Stay:
    stay = _stays().filter(pk=stay_id).first()
    if stay is None or not permissions.can(actor, Action.CHECK_IN, stay):
        raise NotFound()
    return stay
