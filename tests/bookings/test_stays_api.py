"""Stays over the API: availability, booking, quote, list, cancel; the staff room, night and desk endpoints;
every bad input is a field error (or 404/409) and changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Stay
from facilities.models import RoomNight, RoomType, SanatoriumPolicy
from portal.members.models import Dependant, Role
from portal.stats.models import ServiceRecord
from tests import factories
from tests.bookings import builders
from tests.bookings.stay_fixtures import days
from tests.conftest import staff_client
from tests.facilities import rooms as build

pytestmark = pytest.mark.django_db


def body(room, start=5, nights=2, rooms=1, dependants=(), member=True, **extra):
    guests = ([{"type": "member"}] if member else []) + [{"type": "dependant", "dependant": d.pk} for d in dependants]
    return {"room_type": room.pk, "check_in": days(start).isoformat(), "check_out": days(start + nights).isoformat(),
            "rooms": rooms, "guests": guests, **extra}


def nothing_taken() -> bool:
    return not Stay.objects.exists() and not RoomNight.objects.filter(rooms_taken__gt=0).exists()


def test_availability_per_room_type_and_night(api, twin, sanatorium, member_api, django_assert_max_num_queries):
    single = build.room_type(sanatorium, name="单人间", kind="single", rooms=2, beds=1, member_price_fen=15_000)
    build.open_nights(single, days=3)
    member_api.post("/api/v1/stays/", body(twin, start=1, nights=1), format="json")
    with django_assert_max_num_queries(1):
        response = api.get(f"/api/v1/facilities/{sanatorium.pk}/availability/",
                           {"start": days(0).isoformat(), "end": days(4).isoformat()})
    assert response.status_code == 200
    data = response.json()
    by_name = {r["name"]: r for r in data["room_types"]}
    assert data["dates"] == [days(i).isoformat() for i in range(4)]
    assert by_name["标准双人间"]["rooms_left"] == [3, 2, 3, 3]
    assert by_name["单人间"]["rooms_left"] == [2, 2, 2, None]  # the fourth night is not open
    assert data["room_types"][0]["name"] == "单人间"  # cheapest first


@pytest.mark.parametrize("params,field", [
    ({"start": "2026-01-10", "end": "2026-01-10"}, "end"),
    ({"start": "2026-01-10", "end": "2026-05-11"}, "end"),  # 120 nights at most
    ({"start": "2026-13-45", "end": "2026-01-10"}, "start"),
    ({"start": "", "end": "2026-01-10"}, "start"),
    ({"start": "0001-01-01", "end": "2026-01-10"}, "start"),
])
def test_availability_bad_ranges_are_field_errors(api, sanatorium, params, field):
    response = api.get(f"/api/v1/facilities/{sanatorium.pk}/availability/", params)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_availability_of_a_palace_or_nothing_is_404(api, orgs):
    palace = builders.palace(orgs["city"])
    for pk in (palace.pk, 999999):
        response = api.get(f"/api/v1/facilities/{pk}/availability/", {"start": "2026-01-01", "end": "2026-01-05"})
        assert response.status_code == 404


def test_book_list_show_and_cancel(member_api, twin, family):
    response = member_api.post("/api/v1/stays/", body(twin, rooms=2, dependants=family), format="json")
    assert response.status_code == 201, response.json()
    stay = response.json()
    assert stay["status"] == "pending_payment" and stay["nights"] == 2
    assert stay["payment"]["member_share_fen"] == stay["member_share_fen"] == 2 * 2 * 30_000
    assert len(stay["guests"]) == 3 and stay["cancel_deadline"]
    assert [s["id"] for s in member_api.get("/api/v1/stays/").json()["results"]] == [stay["id"]]
    assert member_api.get(f"/api/v1/stays/{stay['id']}/").json()["room_type_name"] == "标准双人间"
    cancelled = member_api.post(f"/api/v1/stays/{stay['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert member_api.post(f"/api/v1/stays/{stay['id']}/cancel/").status_code == 409
    assert nothing_taken() is False and not RoomNight.objects.filter(rooms_taken__gt=0).exists()


def test_quote_prices_without_booking(member_api, twin, family):
    response = member_api.post("/api/v1/stays/quote/", body(twin, nights=3, dependants=family[:1]), format="json")
    assert response.status_code == 200
    quote = response.json()
    assert (quote["amount_fen"], quote["subsidy_fen"], quote["member_share_fen"]) == (150_000, 60_000, 90_000)
    assert nothing_taken()


@pytest.mark.parametrize("change,field", [
    (dict(nights=0), "check_out"),
    (dict(nights=15), "check_out"),
    (dict(start=-3), "check_in"),
    (dict(start=130), "check_in"),
    (dict(rooms=0), "rooms"),
    (dict(rooms="2"), "rooms"),
    (dict(member=False), "guests"),
    (dict(room_type="x"), "room_type"),
    (dict(room_type=999999), "room_type"),
    (dict(guests=[]), "guests"),
    (dict(guests=[{"type": "friend"}]), "guests"),
    (dict(guests=[{"type": "dependant"}]), "guests"),
    (dict(check_in="2026-02-30"), "check_in"),
])
def test_bad_bookings_are_field_errors(member_api, twin, change, field):
    if "room_type" in change or "guests" in change or "check_in" in change:
        data = {**body(twin), **change}
    else:
        data = body(twin, **change)
    response = member_api.post("/api/v1/stays/", data, format="json")
    assert response.status_code == 400, response.json()
    assert any(key.split(".")[0] == field for key in response.json()["errors"])
    assert nothing_taken()


def test_someone_elses_dependant_is_a_field_error(member_api, twin, orgs):
    stranger = factories.member(organisation=orgs["unit"])
    theirs = Dependant.objects.create(member=stranger, name="李四", relation="child", birth_date=days(-3000))
    response = member_api.post("/api/v1/stays/", body(twin, dependants=[theirs]), format="json")
    assert response.status_code == 400 and "guests" in response.json()["errors"]
    assert nothing_taken()


def test_nights_not_open_or_full_are_409(member_api, twin):
    response = member_api.post("/api/v1/stays/", body(twin, start=99, nights=3), format="json")
    assert response.status_code == 409 and days(100).isoformat() in response.json()["detail"]
    assert nothing_taken()


def test_other_members_stays_are_404(member_api, twin, orgs):
    other = factories.member(organisation=orgs["unit"])
    client = factories.sign_in(type(member_api)(), other.user)
    stay = client.post("/api/v1/stays/", body(twin), format="json").json()
    assert member_api.get(f"/api/v1/stays/{stay['id']}/").status_code == 404
    assert member_api.post(f"/api/v1/stays/{stay['id']}/cancel/").status_code == 404
    assert Stay.objects.get(pk=stay["id"]).status == "confirmed"


# --- staff -----------------------------------------------------------------------------------------------------

def test_staff_room_type_crud_and_nights(desk_api, sanatorium):
    created = desk_api.post("/api/v1/staff/room-types/", {
        "facility": sanatorium.pk, "kind": "accessible", "name": "无障碍房", "rooms": 2, "beds": 2,
        "member_price_fen": 18_000, "companion_price_fen": 25_000}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    start, end = timezone.localdate(), timezone.localdate() + timedelta(days=30)
    opened = desk_api.post(f"/api/v1/staff/room-types/{pk}/nights/open/",
                           {"start": start.isoformat(), "end": end.isoformat(), "rooms": 2}, format="json")
    assert opened.status_code == 200 and opened.json() == {"nights": 30, "occupied": []}
    nights = desk_api.get(f"/api/v1/staff/room-types/{pk}/nights/", {"start": start.isoformat(),
                                                                     "end": (start + timedelta(days=2)).isoformat()})
    assert [n["rooms_open"] for n in nights.json()] == [2, 2]
    resized = desk_api.post(f"/api/v1/staff/room-types/{pk}/nights/resize/",
                            {"start": start.isoformat(), "end": end.isoformat(), "rooms": 5}, format="json")
    assert resized.status_code == 400 and "rooms" in resized.json()["errors"]  # more than the room type has
    closed = desk_api.post(f"/api/v1/staff/room-types/{pk}/nights/close/",
                           {"start": start.isoformat(), "end": (start + timedelta(days=3)).isoformat()},
                           format="json")
    assert closed.json()["nights"] == 3
    assert desk_api.patch(f"/api/v1/staff/room-types/{pk}/", {"rooms": 0}, format="json").status_code == 400
    assert desk_api.patch(f"/api/v1/staff/room-types/{pk}/", {"active": False}, format="json").json()["active"] is False
    assert desk_api.delete(f"/api/v1/staff/room-types/{pk}/").status_code == 204
    assert not RoomType.objects.filter(pk=pk).exists()


def test_resizing_below_guests_is_409_naming_the_nights(desk_api, member_api, twin):
    member_api.post("/api/v1/stays/", body(twin, start=3, nights=2), format="json")
    response = desk_api.post(f"/api/v1/staff/room-types/{twin.pk}/nights/resize/",
                             {"start": days(0).isoformat(), "end": days(10).isoformat(), "rooms": 0}, format="json")
    assert response.status_code == 409 and days(3).isoformat() in response.json()["detail"]
    assert set(RoomNight.objects.filter(room_type=twin).values_list("rooms_open", flat=True)) == {3}


def test_stay_policy_get_and_put(desk_api, sanatorium):
    url = f"/api/v1/staff/facilities/{sanatorium.pk}/stay-policy/"
    assert desk_api.get(url).json()["max_stay_nights"] == 14
    bad = desk_api.put(url, {**desk_api.get(url).json(), "member_subsidy_percent": 150}, format="json")
    assert bad.status_code == 400 and "member_subsidy_percent" in bad.json()["errors"]
    good = desk_api.put(url, {**desk_api.get(url).json(), "free_member_nights_per_year": 3}, format="json")
    assert good.status_code == 200
    assert SanatoriumPolicy.objects.get(facility=sanatorium).free_member_nights_per_year == 3


def test_desk_day_check_in_and_out(desk_api, member, member_api, twin, time_machine):
    stay = member_api.post("/api/v1/stays/", body(twin, start=0, nights=2), format="json").json()
    day = desk_api.get("/api/v1/staff/stays/day/").json()
    assert [s["id"] for s in day["arrivals"]] == [stay["id"]] and day["arrivals"][0]["member_name"] == member.real_name
    assert desk_api.post(f"/api/v1/staff/stays/{stay['id']}/check-out/").status_code == 409
    assert desk_api.post(f"/api/v1/staff/stays/{stay['id']}/check-in/").json()["status"] == "checked_in"
    time_machine.move_to(timezone.now() + timedelta(days=2))
    assert desk_api.post(f"/api/v1/staff/stays/{stay['id']}/check-out/").json()["status"] == "checked_out"
    assert ServiceRecord.objects.filter(kind="stay", nights=2).count() == 1
    assert desk_api.get("/api/v1/staff/stays/day/", {"date": "2026-02-30"}).status_code == 400


def test_staff_of_another_subtree_see_nothing(member_api, twin, orgs):
    stay = member_api.post("/api/v1/stays/", body(twin, start=0, nights=1), format="json").json()
    stranger = staff_client(factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER))
    assert stranger.get(f"/api/v1/staff/room-types/{twin.pk}/").status_code == 404
    assert stranger.post(f"/api/v1/staff/room-types/{twin.pk}/nights/close/",
                         {"start": days(0).isoformat(), "end": days(5).isoformat()}, format="json").status_code == 404
    assert stranger.post(f"/api/v1/staff/stays/{stay['id']}/check-in/").status_code == 404
    assert stranger.get("/api/v1/staff/stays/day/").json()["arrivals"] == []
    assert stranger.get(f"/api/v1/staff/facilities/{twin.facility_id}/stay-policy/").status_code == 404
    assert set(RoomNight.objects.filter(room_type=twin).values_list("rooms_open", flat=True)) == {3}


def test_staff_night_changes_are_audited(desk_api, twin):
    from portal.audit.models import AuditEvent

    desk_api.post(f"/api/v1/staff/room-types/{twin.pk}/nights/close/",
                  {"start": days(0).isoformat(), "end": days(3).isoformat()}, format="json")
    event = AuditEvent.objects.get(route="staff-room-type-nights-close")
    assert (event.object_type, event.object_id) == ("facilities.roomtype", str(twin.pk))
    assert event.change == {"start": days(0).isoformat(), "end": days(3).isoformat()}


def test_room_type_photos_are_reencoded_and_deleted_with_their_file(desk_api, twin, settings, tmp_path,
                                                                     django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from facilities.models import RoomTypePhoto
    from tests.images import png_bytes

    settings.MEDIA_ROOT = tmp_path
    url = f"/api/v1/staff/room-types/{twin.pk}/photos/"
    bad = desk_api.post(url, {"image": SimpleUploadedFile("x.png", b"not an image")}, format="multipart")
    assert bad.status_code == 400 and "image" in bad.json()["errors"]
    assert not RoomTypePhoto.objects.exists() and not any(tmp_path.rglob("*.*"))
    added = desk_api.post(url, {"image": SimpleUploadedFile("湖景.png", png_bytes()), "caption": "湖景"},
                          format="multipart")
    assert added.status_code == 201
    photo = RoomTypePhoto.objects.get()
    assert photo.image.name.startswith("public/rooms/") and (tmp_path / photo.image.name).exists()
    assert desk_api.get(f"/api/v1/staff/room-types/{twin.pk}/").json()["photos"][0]["caption"] == "湖景"
    with django_capture_on_commit_callbacks(execute=True):
        assert desk_api.delete(f"{url}{photo.pk}/").status_code == 204
    assert not (tmp_path / photo.image.name).exists()
