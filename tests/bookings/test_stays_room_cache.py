"""The cached room type of stay requests (facilities.room_cache): every staff change shows in the next request."""

import pytest

from facilities import rooms
from facilities.models import FacilityStatus
from tests.bookings.stay_fixtures import days

pytestmark = pytest.mark.django_db


def quote(client, room, nights=3):
    return client.post("/api/v1/stays/quote/", {
        "room_type": room.pk, "check_in": days(5).isoformat(), "check_out": days(5 + nights).isoformat(),
        "rooms": 1, "guests": [{"type": "member"}]}, format="json")


def test_a_price_change_shows_in_the_next_quote(member_api, twin, desk):
    before = quote(member_api, twin, nights=9).json()["amount_fen"]
    rooms.room_type_update(actor=desk, room_type=twin, data={"member_price_fen": 10_000})
    after = quote(member_api, twin, nights=9).json()["amount_fen"]
    assert (before, after) == (180_000, 90_000)


def test_a_deactivated_room_type_is_refused_at_once(member_api, twin, desk):
    assert quote(member_api, twin).status_code == 200
    rooms.room_type_update(actor=desk, room_type=twin, data={"active": False})
    response = quote(member_api, twin)
    assert response.status_code == 400 and "room_type" in response.json()["errors"]


def test_a_policy_change_shows_in_the_next_quote(member_api, twin, sanatorium, desk):
    assert quote(member_api, twin, nights=12).status_code == 200
    rooms.sanatorium_policy_update(actor=desk, facility=sanatorium, data={"max_stay_nights": 10})
    response = quote(member_api, twin, nights=12)
    assert response.status_code == 400 and "check_out" in response.json()["errors"]


def test_a_sanatorium_closed_for_renovation_is_refused_at_once(member_api, twin, sanatorium):
    assert quote(member_api, twin).status_code == 200
    sanatorium.status = FacilityStatus.RENOVATION
    sanatorium.save()
    assert quote(member_api, twin).status_code == 400
