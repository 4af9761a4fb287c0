"""Room nights: taking is all or nothing and names the night that fails; staff open, close and resize
ranges but never below what guests hold."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from facilities import inventory
from facilities.inventory import NightsOccupied, NightsUnavailable
from facilities.models import RoomNight
from portal.errors import NotFound
from portal.members.models import Role
from tests import factories
from tests.facilities import rooms as build

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(orgs):
    return build.room_type(build.sanatorium(orgs["city"]), rooms=3)


@pytest.fixture
def manager(orgs):
    return factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)


def taken(room):
    return dict(RoomNight.objects.filter(room_type=room).values_list("date", "rooms_taken"))


def take(room, start, nights, rooms):
    with transaction.atomic():
        inventory.room_nights_take(room_type_id=room.pk, check_in=start, check_out=start + timedelta(days=nights),
                                   rooms=rooms)


def test_take_and_release_move_every_night_of_the_range(room):
    start = build.open_nights(room, days=10)
    take(room, start + timedelta(days=2), 3, 2)
    counts = taken(room)
    assert [counts[start + timedelta(days=i)] for i in range(6)] == [0, 0, 2, 2, 2, 0]
    with transaction.atomic():
        inventory.room_nights_release(room_type_id=room.pk, check_in=start + timedelta(days=2),
                                      check_out=start + timedelta(days=5), rooms=2)
    assert set(taken(room).values()) == {0}


def test_take_is_all_or_nothing_and_names_the_first_failing_night(room):
    start = build.open_nights(room, days=10)
    take(room, start + timedelta(days=4), 1, 3)  # night 4 is full
    with pytest.raises(NightsUnavailable) as full:
        take(room, start + timedelta(days=2), 4, 1)
    assert (start + timedelta(days=4)).isoformat() in full.value.detail
    assert sum(taken(room).values()) == 3  # nothing else moved
    with pytest.raises(NightsUnavailable) as closed:
        take(room, start + timedelta(days=8), 4, 1)  # nights 10 and 11 were never opened
    assert closed.value.code == "not_open" and (start + timedelta(days=10)).isoformat() in closed.value.detail
    assert sum(taken(room).values()) == 3


def test_a_refused_take_leaves_nothing_behind_even_when_the_caller_goes_on(room):
    start = build.open_nights(room, days=10)
    take(room, start + timedelta(days=4), 1, 3)  # night 4 is full; nights 2 and 3 would fit
    with transaction.atomic():  # a caller that catches the refusal and carries on in the same transaction
        with pytest.raises(NightsUnavailable) as full:
            inventory.room_nights_take(room_type_id=room.pk, check_in=start + timedelta(days=2),
                                       check_out=start + timedelta(days=6), rooms=1)
        assert full.value.code == "full" and (start + timedelta(days=4)).isoformat() in full.value.detail
        assert sum(taken(room).values()) == 3
    assert sum(taken(room).values()) == 3


@pytest.mark.django_db(transaction=True)
def test_take_outside_a_transaction_is_a_programming_error(room):
    start = build.open_nights(room, days=3)
    with pytest.raises(RuntimeError):
        inventory.room_nights_take(room_type_id=room.pk, check_in=start, check_out=start + timedelta(days=1),
                                   rooms=1)


def test_release_never_goes_below_zero(room):
    start = build.open_nights(room, days=3)
    take(room, start, 1, 1)
    with transaction.atomic():
        inventory.room_nights_release(room_type_id=room.pk, check_in=start, check_out=start + timedelta(days=2),
                                      rooms=2)
    assert set(taken(room).values()) == {0}


def test_staff_open_close_and_resize(room, manager):
    today = timezone.localdate()
    change = inventory.room_nights_open(actor=manager, room_type=room, start=today, end=today + timedelta(days=30),
                                        rooms=3)
    assert change.nights == 30 and RoomNight.objects.filter(room_type=room, rooms_open=3).count() == 30
    take(room, today + timedelta(days=5), 2, 2)
    with pytest.raises(NightsOccupied) as refused:
        inventory.room_nights_resize(actor=manager, room_type=room, start=today, end=today + timedelta(days=10),
                                     rooms=1)
    assert (today + timedelta(days=5)).isoformat() in refused.value.detail
    assert RoomNight.objects.filter(room_type=room, rooms_open=3).count() == 30  # nothing changed
    inventory.room_nights_resize(actor=manager, room_type=room, start=today, end=today + timedelta(days=5), rooms=1)
    assert RoomNight.objects.filter(room_type=room, rooms_open=1).count() == 5
    closed = inventory.room_nights_close(actor=manager, room_type=room, start=today + timedelta(days=4),
                                         end=today + timedelta(days=8))
    assert closed.nights == 4 and closed.occupied == [today + timedelta(days=5), today + timedelta(days=6)]
    night = RoomNight.objects.get(room_type=room, date=today + timedelta(days=5))
    assert (night.rooms_open, night.rooms_taken) == (2, 2)
    with pytest.raises(NightsUnavailable):
        take(room, today + timedelta(days=7), 1, 1)


@pytest.mark.parametrize("days,rooms,field", [(0, 2, "end"), (401, 2, "end"), (10, 4, "rooms"), (10, -1, "rooms")])
def test_staff_ranges_are_bounded(room, manager, days, rooms, field):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as bad:
        inventory.room_nights_open(actor=manager, room_type=room, start=today, end=today + timedelta(days=days),
                                   rooms=rooms)
    assert field in bad.value.message_dict
    assert not RoomNight.objects.exists()


def test_past_nights_and_other_subtrees_are_refused(room, manager, orgs):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        inventory.room_nights_open(actor=manager, room_type=room, start=today - timedelta(days=1),
                                   end=today + timedelta(days=1), rooms=1)
    stranger = factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER)
    with pytest.raises(NotFound):
        inventory.room_nights_open(actor=stranger, room_type=room, start=today, end=today + timedelta(days=1),
                                   rooms=1)
