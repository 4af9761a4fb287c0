"""Console pages for sanatoriums: room types and photos, the nights grid (open, close, resize), arrivals and
departures with check-in and check-out; everything scoped to the manager's subtree (404 elsewhere)."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Stay, StayStatus
from facilities.models import RoomNight, RoomType, RoomTypePhoto
from portal.members.models import Dependant, Role
from portal.stats.models import ServiceRecord
from tests import factories
from tests.facilities import rooms
from tests.images import png_bytes

pytestmark = pytest.mark.django_db


def english(user) -> Client:
    return factories.sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


@pytest.fixture
def sanatorium(orgs):
    return rooms.sanatorium(orgs["city"], name="甲市职工疗休养院")


@pytest.fixture
def twin(sanatorium):
    return rooms.room_type(sanatorium, name="湖景双人间", rooms=4)


@pytest.fixture
def manager(people):
    return english(people["palace"])


@pytest.fixture
def sibling(orgs):
    return english(factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER))


def _day(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def test_room_types_create_edit_and_photos(manager, sanatorium, twin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    listing = manager.get(reverse("frontend:console:room_types")).content.decode()
    assert "湖景双人间" in listing and "¥200.00" in listing
    assert manager.get(reverse("frontend:console:room_type_create")).status_code == 200
    created = manager.post(reverse("frontend:console:room_type_create"), {
        "facility": sanatorium.pk, "name": "家庭套房", "kind": "family_suite", "rooms": "2", "beds": "4",
        "member_price_yuan": "350", "companion_price_yuan": "420.50", "description": "", "active": "on"})
    suite = RoomType.objects.get(name="家庭套房")
    assert created.status_code == 302 and suite.companion_price_fen == 42050 and suite.member_price_fen == 35000
    duplicate = manager.post(reverse("frontend:console:room_type_create"), {
        "facility": sanatorium.pk, "name": "家庭套房", "kind": "twin", "rooms": "2", "beds": "2",
        "member_price_yuan": "1", "companion_price_yuan": "1"})
    assert duplicate.status_code == 400 and "already has a room type with this name" in duplicate.content.decode()
    too_many = manager.post(reverse("frontend:console:room_type_create"), {
        "facility": sanatorium.pk, "name": "大通铺", "kind": "twin", "rooms": "5000", "beds": "99",
        "member_price_yuan": "-1", "companion_price_yuan": "9999999"})
    assert too_many.status_code == 400 and not RoomType.objects.filter(name="大通铺").exists()
    url = reverse("frontend:console:room_type_detail", args=[twin.pk])
    assert manager.get(url).status_code == 200
    saved = manager.post(url, {"action": "save", "name": "湖景双人间", "kind": "twin", "rooms": "6", "beds": "2",
                               "member_price_yuan": "180", "companion_price_yuan": "300", "active": "on"})
    twin.refresh_from_db()
    assert saved.status_code == 302 and twin.rooms == 6 and twin.member_price_fen == 18000
    png = SimpleUploadedFile("room.png", png_bytes(), content_type="image/png")
    assert manager.post(url, {"action": "photo", "photo-image": png, "photo-caption": "湖景"}).status_code == 302
    photo = RoomTypePhoto.objects.get(room_type=twin)
    assert photo.caption == "湖景" and photo.image.name.startswith("public/")
    not_image = SimpleUploadedFile("x.png", b"hello", content_type="image/png")
    assert manager.post(url, {"action": "photo", "photo-image": not_image}).status_code == 400
    assert manager.post(url, {"action": "other"}).status_code == 403
    deleted = manager.post(reverse("frontend:console:room_type_photo_delete", args=[photo.pk]))
    assert deleted.status_code == 302 and not RoomTypePhoto.objects.exists()
    assert manager.get(reverse("frontend:console:room_type_photo_delete", args=[photo.pk])).status_code == 405


def test_nights_grid_open_resize_and_close(manager, twin):
    url = reverse("frontend:console:room_nights", args=[twin.pk])
    page = manager.get(url)
    assert page.status_code == 200 and 'data-testid="month-grid"' in page.content.decode()
    opened = manager.post(url, {"action": "open", "open-start": _day(1), "open-last": _day(30), "open-rooms": "3"})
    assert opened.status_code == 302 and RoomNight.objects.filter(room_type=twin, rooms_open=3).count() == 30
    assert "0/3 taken" in manager.get(opened["Location"]).content.decode()
    RoomNight.objects.filter(room_type=twin, date=_day(5)).update(rooms_taken=2)
    below = manager.post(url, {"action": "resize", "resize-start": _day(1), "resize-last": _day(10),
                               "resize-rooms": "1"})
    assert below.status_code == 400 and "Guests already hold more than 1 rooms" in below.content.decode()
    assert RoomNight.objects.filter(room_type=twin, rooms_open=3).count() == 30  # nothing changed
    backwards = manager.post(url, {"action": "open", "open-start": _day(10), "open-last": _day(5), "open-rooms": "2"})
    assert backwards.status_code == 400 and "cannot be before the first night" in backwards.content.decode()
    past = manager.post(url, {"action": "open", "open-start": _day(-3), "open-last": _day(2), "open-rooms": "2"})
    assert past.status_code == 400 and "in the past cannot be changed" in past.content.decode()
    over = manager.post(url, {"action": "open", "open-start": _day(1), "open-last": _day(2), "open-rooms": "99"})
    assert over.status_code == 400 and "Enter between 0 and 4 rooms" in over.content.decode()
    resized = manager.post(url, {"action": "resize", "resize-start": _day(1), "resize-last": _day(10),
                                 "resize-rooms": "4"})
    assert resized.status_code == 302 and RoomNight.objects.filter(room_type=twin, rooms_open=4).count() == 10
    closed = manager.post(url, {"action": "close", "close-start": _day(4), "close-last": _day(6)}, follow=True)
    assert "Guests keep their rooms on" in closed.content.decode()
    assert RoomNight.objects.get(room_type=twin, date=_day(5)).rooms_open == 2
    assert RoomNight.objects.get(room_type=twin, date=_day(4)).rooms_open == 0
    assert manager.post(url, {"action": "drop"}).status_code == 403
    for odd in ("2026-13", "x", "3000-01"):
        assert manager.get(url, {"month": odd}).status_code == 200


def test_arrivals_and_departures_check_in_and_out(manager, twin, orgs):
    rooms.open_nights(twin, start=_day(-3), days=20)
    member = factories.member(organisation=orgs["unit"], real_name="赵住客")
    child = Dependant.objects.create(member=member, name="赵小宝", relation="child", birth_date=date(2015, 1, 1))
    stay = Stay.objects.create(member=member, room_type=twin, check_in=_day(0), check_out=_day(2), rooms=1,
                               status=StayStatus.CONFIRMED, amount_fen=0)
    stay.guests.create(is_member=True, name="赵住客", nights=2)
    stay.guests.create(dependant=child, name="赵小宝", nights=2)
    desk = reverse("frontend:console:stays_today")
    page = manager.get(desk).content.decode()
    assert f'id="arrival-{stay.pk}"' in page and "赵小宝" in page
    checked_in = manager.post(reverse("frontend:console:stay_check_in", args=[stay.pk]))
    stay.refresh_from_db()
    assert checked_in.status_code == 302 and stay.status == StayStatus.CHECKED_IN
    again = manager.post(reverse("frontend:console:stay_check_in", args=[stay.pk]), follow=True)
    assert "Only a confirmed stay can be checked in" in again.content.decode()
    leaving = manager.get(desk, {"date": _day(2).isoformat()}).content.decode()
    assert f'id="departure-{stay.pk}"' in leaving
    out = manager.post(reverse("frontend:console:stay_check_out", args=[stay.pk]), {"day": _day(2).isoformat()})
    stay.refresh_from_db()
    assert out.status_code == 302 and out["Location"].endswith(f"?date={_day(2).isoformat()}")
    assert stay.status == StayStatus.CHECKED_OUT
    assert ServiceRecord.objects.filter(kind="stay").count() == 2  # one per guest
    for odd in ("2026-02-30", "garbage", "9999-12-31"):
        assert manager.get(desk, {"date": odd}).status_code == 200


def test_another_unions_manager_gets_404_and_changes_nothing(sibling, twin, orgs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rooms.open_nights(twin, days=5)
    photo = RoomTypePhoto.objects.create(room_type=twin, image="public/rooms/x.png")
    member = factories.member(organisation=orgs["unit"])
    stay = services.stay_create(member=member, room_type_id=twin.pk, check_in=_day(1), check_out=_day(2), rooms=1)
    assert "湖景双人间" not in sibling.get(reverse("frontend:console:room_types")).content.decode()
    assert f"stay-{stay.pk}" not in sibling.get(reverse("frontend:console:stays_today"),
                                                {"date": _day(1).isoformat()}).content.decode()
    for url in (reverse("frontend:console:room_type_detail", args=[twin.pk]),
                reverse("frontend:console:room_nights", args=[twin.pk]),
                reverse("frontend:console:room_type_detail", args=[999999]),
                "/console/room-types/99999999999999999999/nights/"):
        assert sibling.get(url).status_code == 404, url
    posts = [
        (reverse("frontend:console:room_type_detail", args=[twin.pk]), {"action": "save", "name": "改名"}),
        (reverse("frontend:console:room_nights", args=[twin.pk]),
         {"action": "close", "close-start": _day(0), "close-last": _day(4)}),
        (reverse("frontend:console:room_type_photo_delete", args=[photo.pk]), {}),
        (reverse("frontend:console:stay_check_in", args=[stay.pk]), {}),
        (reverse("frontend:console:stay_check_out", args=[stay.pk]), {}),
    ]
    for url, body in posts:
        assert sibling.post(url, body).status_code == 404, url
    twin.refresh_from_db()
    stay.refresh_from_db()
    assert twin.name == "湖景双人间" and RoomTypePhoto.objects.filter(pk=photo.pk).exists()
    assert RoomNight.objects.filter(room_type=twin, rooms_open=4).count() == 5
    assert stay.status == StayStatus.CONFIRMED


def test_members_and_officers_cannot_open_the_sanatorium_console(people, twin):
    member = factories.sign_in(Client(), people["member"].user)
    assert member.get(reverse("frontend:console:room_types")).status_code == 403
    officer = english(people["officer"])  # union officers approve; they do not run rooms
    assert officer.get(reverse("frontend:console:room_types")).status_code == 403
    assert officer.get(reverse("frontend:console:room_nights", args=[twin.pk])).status_code == 403
