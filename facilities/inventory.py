"""Room nights: the only code that moves a night's counters.

Taking and releasing run inside the caller's transaction: the range's rows are locked with SELECT ... FOR
UPDATE ORDER BY date, so two overlapping ranges always lock their shared nights in the same order (no
deadlock), and the counters then move by one conditional UPDATE whose row count must equal the night count
(all or nothing). On PostgreSQL a take does both in one statement (a CTE locking in date order feeding the
UPDATE). Staff operations (open, close, resize) lock the same way and are bounded in length.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import Conflict, NotFound
from portal.members import permissions
from portal.members.permissions import Action

from .models import FacilityKind, RoomNight, RoomType

logger = logging.getLogger(__name__)

MAX_RANGE_NIGHTS = 400  # one staff operation covers at most this many nights (a season and then some)


class NightsUnavailable(Conflict):
    """A night of the range is not open, or has fewer rooms left than asked for."""

    type = "nights_unavailable"


class NightsOccupied(Conflict):
    """A staff change would leave fewer rooms open than guests already hold."""

    type = "nights_occupied"


@dataclass(frozen=True)
class NightsChange:
    """What a staff operation did: nights written, and nights that still have guests (a close keeps them)."""

    nights: int
    occupied: list[date] = field(default_factory=list)


def night_dates(start: date, end: date) -> list[date]:
    """Every night of [start, end): the night of `end` itself is not included (like a check-out date)."""
    return [start + timedelta(days=i) for i in range((end - start).days)]


def _require_atomic() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("room nights move only inside the caller's transaction.atomic()")


def _lock(room_type_id: int, start: date, end: date) -> list[tuple[date, int, int]]:
    """Lock the range's existing nights in date order; (date, rooms_open, rooms_taken) per night."""
    return list(RoomNight.objects.select_for_update().filter(room_type_id=room_type_id, date__gte=start,
                                                             date__lt=end)
                .order_by("date").values_list("date", "rooms_open", "rooms_taken"))


def _day(night: date) -> str:
    return night.strftime("%Y-%m-%d")


def _refusal(night: date, row: tuple[int, int] | None, rooms: int) -> NightsUnavailable:
    """Why `rooms` rooms cannot be taken on `night`, given its (rooms_open, rooms_taken) or None (no row)."""
    if row is None:
        message = _("The night of %(day)s is not open for booking.") % {"day": _day(night)}
        return NightsUnavailable(message, errors={"check_in": [message]}, code="not_open")
    left = max(row[0] - row[1], 0)
    detail = (_("No rooms are left on the night of %(day)s.") % {"day": _day(night)} if left == 0 else
              _("Only %(left)d rooms are left on the night of %(day)s.") % {"left": left, "day": _day(night)})
    return NightsUnavailable(detail, errors={"rooms": [detail]}, code="full")


def _take_in_one_statement(room_type_id: int, check_in: date, check_out: date, rooms: int) -> set[date]:
    """PostgreSQL: lock the range's nights in date order and add `rooms` where they fit, in one round trip (the
    lock, the check and the update were three ORM statements, compiled on every booking and held the night locks
    for two more round trips). Returns the nights it took."""
    table = connection.ops.quote_name(RoomNight._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH locked AS (SELECT id FROM {table} WHERE room_type_id = %s AND date >= %s AND date < %s "  # noqa: S608 - the table name is the model's own
            f"ORDER BY date FOR UPDATE) "
            f"UPDATE {table} AS n SET rooms_taken = n.rooms_taken + %s FROM locked "
            f"WHERE n.id = locked.id AND n.rooms_open - n.rooms_taken >= %s RETURNING n.date",
            [room_type_id, check_in, check_out, rooms, rooms])
        return {row[0] for row in cursor.fetchall()}


def room_nights_take(*, room_type_id: int, check_in: date, check_out: date, rooms: int) -> None:
    """Take `rooms` rooms on every night of [check_in, check_out), or nothing (NightsUnavailable names the first
    night that fails and why). Must run inside the caller's transaction.atomic()."""
    _require_atomic()
    if rooms < 1 or check_out <= check_in:
        raise ValueError("take at least one room for at least one night")
    wanted = night_dates(check_in, check_out)
    if connection.vendor == "postgresql":
        taken = _take_in_one_statement(room_type_id, check_in, check_out, rooms)
        if len(taken) == len(wanted):
            return
        # Refused: give back what the statement took (a caller that catches the error keeps a clean counter),
        # then name the first night that failed, as it stood before this request (its rows are still locked).
        if taken:
            RoomNight.objects.filter(room_type_id=room_type_id, date__in=taken).update(
                rooms_taken=F("rooms_taken") - rooms)
        night = next(n for n in wanted if n not in taken)
        row = RoomNight.objects.filter(room_type_id=room_type_id, date=night).values_list(
            "rooms_open", "rooms_taken").first()
        raise _refusal(night, row, rooms)
    rows = {night: (open_, held) for night, open_, held in _lock(room_type_id, check_in, check_out)}
    for night in wanted:
        if night not in rows or rows[night][0] - rows[night][1] < rooms:
            raise _refusal(night, rows.get(night), rooms)
    updated = RoomNight.objects.filter(room_type_id=room_type_id, date__gte=check_in, date__lt=check_out,
                                       rooms_taken__lte=F("rooms_open") - rooms).update(
        rooms_taken=F("rooms_taken") + rooms)
    if updated != len(wanted):  # cannot happen under the row locks; never leave a partial take behind
        raise NightsUnavailable(_("The rooms changed meanwhile; try again."), code="changed")


def room_nights_release(*, room_type_id: int, check_in: date, check_out: date, rooms: int) -> None:
    """Give back `rooms` rooms on every night of [check_in, check_out); a counter never goes below 0.
    Must run inside the caller's transaction.atomic()."""
    _require_atomic()
    if rooms < 1 or check_out <= check_in:
        raise ValueError("release at least one room for at least one night")
    rows = _lock(room_type_id, check_in, check_out)
    short = [night for night, _open, taken in rows if taken < rooms]
    if short:  # a double release would be a bug elsewhere: keep the counter sane and say so in the log
        logger.error("room type %s: releasing %s rooms on nights holding fewer: %s", room_type_id, rooms, short)
    RoomNight.objects.filter(room_type_id=room_type_id, date__gte=check_in, date__lt=check_out,
                             rooms_taken__gte=rooms).update(rooms_taken=F("rooms_taken") - rooms)
    RoomNight.objects.filter(room_type_id=room_type_id, date__in=short).update(rooms_taken=0)


# --- staff operations ------------------------------------------------------------------------------------------

def _staff_range(*, actor, room_type: RoomType, start: date, end: date, rooms: int | None) -> list[date]:
    """Permission (404 outside the actor's subtree), then the range and room count as field errors."""
    if not permissions.can(actor, Action.MANAGE_FACILITY, room_type):
        raise NotFound()
    if room_type.facility.kind != FacilityKind.SANATORIUM:
        raise ValidationError({"room_type": [_("Only a sanatorium's rooms have nights.")]})
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if start < today:
        errors["start"] = [_("Nights in the past cannot be changed.")]
    if end <= start:
        errors["end"] = [_("The end must be after the start.")]
    elif (end - start).days > MAX_RANGE_NIGHTS:
        errors["end"] = [_("Change at most %(n)d nights at a time.") % {"n": MAX_RANGE_NIGHTS}]
    if rooms is not None and not 0 <= rooms <= room_type.rooms:
        errors["rooms"] = [_("Enter between 0 and %(n)d rooms (this room type's total).") % {"n": room_type.rooms}]
    if errors:
        raise ValidationError(errors)
    return night_dates(start, end)


def _refuse_below_taken(rows, rooms: int) -> None:
    below = [night for night, _open, taken in rows if taken > rooms]
    if below:
        days = ", ".join(_day(n) for n in below[:20]) + ("…" if len(below) > 20 else "")
        detail = _("Guests already hold more than %(rooms)d rooms on these nights: %(days)s.") % {
            "rooms": rooms, "days": days}
        raise NightsOccupied(detail, errors={"rooms": [detail]}, code="below_taken")


def room_nights_open(*, actor, room_type: RoomType, start: date, end: date, rooms: int) -> NightsChange:
    """Open every night of [start, end) with `rooms` rooms (a season), or set the count of nights already open;
    refused, changing nothing, where guests hold more than `rooms`."""
    wanted = _staff_range(actor=actor, room_type=room_type, start=start, end=end, rooms=rooms)
    with transaction.atomic():
        rows = _lock(room_type.pk, start, end)
        _refuse_below_taken(rows, rooms)
        existing = {night for night, _open, _taken in rows}
        RoomNight.objects.bulk_create(
            [RoomNight(room_type=room_type, date=night, rooms_open=rooms) for night in wanted if night not in existing],
            ignore_conflicts=True)  # a concurrent open of the same nights: the UPDATE below settles the count
        updated = RoomNight.objects.filter(room_type=room_type, date__gte=start, date__lt=end,
                                           rooms_taken__lte=rooms).update(rooms_open=rooms)
        if updated != len(wanted):
            raise NightsOccupied(_("Guests booked these nights meanwhile; reload and try again."), code="changed")
    return NightsChange(nights=len(wanted))


def room_nights_close(*, actor, room_type: RoomType, start: date, end: date) -> NightsChange:
    """Close [start, end) to new bookings (maintenance): each open night keeps only the rooms guests hold.
    Guests already booked stay booked; `occupied` lists their nights so staff can contact them."""
    _staff_range(actor=actor, room_type=room_type, start=start, end=end, rooms=None)
    with transaction.atomic():
        rows = _lock(room_type.pk, start, end)
        RoomNight.objects.filter(room_type=room_type, date__gte=start, date__lt=end).update(
            rooms_open=F("rooms_taken"))
    return NightsChange(nights=len(rows), occupied=[night for night, _open, taken in rows if taken > 0])


def room_nights_resize(*, actor, room_type: RoomType, start: date, end: date, rooms: int) -> NightsChange:
    """Set the rooms open on the nights of [start, end) that are open already (missing nights stay closed);
    refused with the offending nights, changing nothing, where guests hold more than `rooms`."""
    _staff_range(actor=actor, room_type=room_type, start=start, end=end, rooms=rooms)
    with transaction.atomic():
        rows = _lock(room_type.pk, start, end)
        if not rows:
            raise ValidationError({"start": [_("No nights are open in this range; open them first.")]})
        _refuse_below_taken(rows, rooms)
        updated = RoomNight.objects.filter(room_type=room_type, date__gte=start, date__lt=end,
                                           rooms_taken__lte=rooms).update(rooms_open=rooms)
        if updated != len(rows):
            raise NightsOccupied(_("Guests booked these nights meanwhile; reload and try again."), code="changed")
    return NightsChange(nights=len(rows))
