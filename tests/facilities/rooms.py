"""Builders for sanatoriums, room types, policies and open nights (real rows)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from facilities.models import Facility, FacilityKind, RoomNight, RoomType, RoomTypeKind, SanatoriumPolicy


def sanatorium(organisation, *, name: str = "甲市职工疗休养院", **policy) -> Facility:
    facility = Facility.objects.create(kind=FacilityKind.SANATORIUM, organisation=organisation, name=name,
                                       region_code=organisation.region_code, address="湖滨路 8 号")
    SanatoriumPolicy.objects.create(facility=facility, **policy)
    return facility


def room_type(facility: Facility, *, name: str = "标准双人间", kind: str = RoomTypeKind.TWIN, rooms: int = 5,
              beds: int = 2, member_price_fen: int = 20_000, companion_price_fen: int = 30_000, **fields) -> RoomType:
    return RoomType.objects.create(facility=facility, name=name, kind=kind, rooms=rooms, beds=beds,
                                   member_price_fen=member_price_fen, companion_price_fen=companion_price_fen,
                                   **fields)


def open_nights(room: RoomType, *, start: date | None = None, days: int = 60, rooms: int | None = None) -> date:
    """Open `days` nights from `start` (default today, local); returns `start`."""
    start = start or timezone.localdate()
    RoomNight.objects.bulk_create([RoomNight(room_type=room, date=start + timedelta(days=i),
                                             rooms_open=room.rooms if rooms is None else rooms)
                                   for i in range(days)])
    return start
