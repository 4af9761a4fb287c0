"""Reads of sanatorium stays with their rules (own stays, staff scope), without N+1; the room type and night
reads of facilities.room_selectors are re-exported here so stay pages read from one module."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet

from facilities.models import Facility, RoomType, SanatoriumPolicy
from facilities.room_selectors import (  # noqa: F401 - one place for the stay pages to read from
    MAX_AVAILABILITY_NIGHTS,
    RoomTypeAvailability,
    facility_availability,
    room_type_get,
    room_type_list,
    room_type_list_for_staff,
    room_type_nights,
    room_type_summaries,
    staff_room_type_get,
    staff_room_type_photo_get,
    stay_policy_for,
)
from portal.errors import NotFound, NotPermitted
from portal.members import permissions
from portal.members.models import Member
from portal.members.permissions import Action

from . import stay_rules
from .models import NIGHT_HOLDING_STATUSES, Stay, StayStatus

_STAY_RELATED = ("room_type__facility__organisation", "room_type__facility__stay_policy", "member__user",
                 "member__organisation")


# --- a member's stays ------------------------------------------------------------------------------------------

def stay_list(*, member: Member, status: str | None = None) -> QuerySet[Stay]:
    qs = Stay.objects.filter(member=member).select_related(*_STAY_RELATED, "payment").prefetch_related("guests")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-check_in", "-id")


def stay_get(*, member: Member | None, stay_id: int) -> Stay:
    stay = None if member is None else stay_list(member=member).filter(pk=stay_id).first()
    if stay is None:
        raise NotFound()
    return stay


def stay_cancel_deadline(*, stay: Stay) -> datetime:
    """Until when the member may cancel (the policy comes with the stay's select_related, no extra query)."""
    facility = stay.room_type.facility
    try:
        policy = facility.stay_policy
    except SanatoriumPolicy.DoesNotExist:
        policy = SanatoriumPolicy(facility=facility)
    return stay_rules.cancel_deadline(check_in=stay.check_in, policy=policy)


# --- staff: stays ---------------------------------------------------------------------------------------------

def stays_for_staff(*, actor, facility: Facility | None = None) -> QuerySet[Stay]:
    if facility is not None and not permissions.can(actor, Action.CHECK_IN, facility):
        raise NotPermitted()  # a filter naming another union's sanatorium, as the other staff lists answer
    qs = permissions.scope(actor, Action.CHECK_IN, Stay.objects.all(), via="room_type__facility__organisation")
    if facility is not None:
        qs = qs.filter(room_type__facility=facility)
    return qs.select_related(*_STAY_RELATED).prefetch_related(
        Prefetch("guests", to_attr="guest_list"))


def staff_stay_get(*, actor, stay_id: int) -> Stay:
    stay = stays_for_staff(actor=actor).filter(pk=stay_id).first()
    if stay is None:
        raise NotFound()
    return stay


def stays_arriving_and_leaving_for_staff(*, actor, day: date, facility: Facility | None = None
                                         ) -> tuple[list[Stay], list[Stay]]:
    """The day's arrivals (confirmed or already checked in that day) and departures (still checked in, or
    checked out), at the sanatoriums in the actor's subtrees."""
    qs = stays_for_staff(actor=actor, facility=facility)
    arrivals = list(qs.filter(check_in=day, status__in=(StayStatus.CONFIRMED, StayStatus.CHECKED_IN,
                                                        StayStatus.PENDING_PAYMENT))
                    .order_by("room_type__facility__name", "member__real_name", "pk"))
    departures = list(qs.filter(Q(check_out=day, status__in=(StayStatus.CHECKED_IN, StayStatus.CHECKED_OUT))
                                | Q(check_out__lt=day, check_out__gte=day - timedelta(days=7),
                                    status=StayStatus.CHECKED_IN))
                      .order_by("room_type__facility__name", "member__real_name", "pk"))
    return arrivals, departures


def holding_stays(*, room_type: RoomType, start: date, end: date) -> QuerySet[Stay]:
    """Stays holding rooms of `room_type` on any night of [start, end) (for consistency checks and staff)."""
    return Stay.objects.filter(room_type=room_type, status__in=NIGHT_HOLDING_STATUSES, check_in__lt=end,
                               check_out__gt=start)
