"""Member sanatorium pages: list, detail with the stay rules, a room type's month of nights, booking a stay with
a dependant (price split before confirming), my stays, cancelling; odd input is a clear error and changes nothing."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings.models import Stay, StayStatus
from facilities.models import RoomNight
from portal.members.models import Dependant
from tests import factories
from tests.bookings import builders
from tests.facilities import rooms

pytestmark = pytest.mark.django_db


def english(user=None) -> Client:
    """A client reading the pages in English (the assertions quote the English text)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    return factories.sign_in(client, user) if user is not None else client


@pytest.fixture
def sanatorium(orgs):
    return rooms.sanatorium(orgs["city"], name="甲市职工疗休养院")


@pytest.fixture
def twin(sanatorium):
    room = rooms.room_type(sanatorium, name="湖景双人间", rooms=3)
    rooms.open_nights(room, days=40)
    return room


@pytest.fixture
def booker(orgs):
    member = factories.member(organisation=orgs["unit"], real_name="王疗养")
    Dependant.objects.create(member=member, name="王小宝", relation="child", birth_date=date(2016, 3, 1))
    return member


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _taken(room, day: str) -> int:
    return RoomNight.objects.get(room_type=room, date=day).rooms_taken


def test_list_detail_and_room_type_month(sanatorium, twin, orgs):
    client = english()
    listing = client.get(reverse("frontend:sanatoriums")).content.decode()
    assert "甲市职工疗休养院" in listing and "¥200.00" in listing  # the lowest member price a night
    detail = client.get(reverse("frontend:sanatorium_detail", args=[sanatorium.pk])).content.decode()
    assert "湖景双人间" in detail and "¥300.00" in detail  # member and companion prices
    assert "14 nights" in detail and "48 hours before check-in" in detail  # the default stay rules in words
    assert "first 7 nights each year are free" in detail and "50% of your further nights" in detail
    page = client.get(reverse("frontend:room_type_detail", args=[twin.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="month-grid"' in html
    assert f'data-date="{_day(1)}"' in html and "3 rooms left" in html
    assert reverse("account_login") in html  # log in to book
    next_month = (timezone.localdate().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    assert client.get(reverse("frontend:room_type_detail", args=[twin.pk]), {"month": next_month}).status_code == 200
    for odd in ("2026-13", "garbage", "9999-01", "1999-01", "2026-1"):
        response = client.get(reverse("frontend:room_type_detail", args=[twin.pk]), {"month": odd})
        assert response.status_code == 200, odd
        assert "That month cannot be shown" in response.content.decode()
    palace = builders.palace(orgs["city"])
    assert client.get(reverse("frontend:sanatorium_detail", args=[palace.pk])).status_code == 404
    assert client.get(reverse("frontend:sanatorium_detail", args=[999999])).status_code == 404
    assert client.get(reverse("frontend:room_type_detail", args=[999999])).status_code == 404
    twin.active = False
    twin.save()
    assert client.get(reverse("frontend:room_type_detail", args=[twin.pk])).status_code == 404


def test_member_books_with_a_dependant_sees_the_split_and_cancels(booker, twin):
    client = english(booker.user)
    child = booker.dependants.get()
    url = reverse("frontend:stay_book", args=[twin.pk])
    form = client.get(url).content.decode()
    assert "王小宝" in form and "王疗养" in form
    data = {"check_in": _day(5), "check_out": _day(7), "rooms": 1, "guests": [child.pk]}
    quote = client.post(url, {**data, "step": "quote"})
    html = quote.content.decode()
    assert quote.status_code == 200 and 'data-testid="split"' in html
    # 2 nights: member 2 x ¥200 (free nights), child 2 x ¥300 at cost -> total ¥1,000, union ¥400, share ¥600
    assert "¥1,000.00" in html and "¥400.00" in html and "¥600.00" in html
    assert not Stay.objects.exists()  # the quote wrote nothing
    done = client.post(url, {**data, "step": "confirm"})
    stay = Stay.objects.get(member=booker)
    assert done.status_code == 302 and done["Location"] == reverse("frontend:stay_detail", args=[stay.pk])
    assert stay.status == StayStatus.PENDING_PAYMENT and stay.member_share_fen == 60_000
    assert sorted(stay.guests.values_list("name", flat=True)) == ["王小宝", "王疗养"]
    assert _taken(twin, _day(5)) == 1 and _taken(twin, _day(6)) == 1 and _taken(twin, _day(7)) == 0
    page = client.get(done["Location"]).content.decode()
    assert "王小宝" in page and "¥600.00" in page and 'data-testid="payment-hold"' in page
    if hasattr(stay, "payment"):
        assert reverse("frontend:payment_pay", args=[stay.payment.pk]) in page
    assert "湖景双人间" in client.get(reverse("frontend:stay_list")).content.decode()
    cancel = reverse("frontend:stay_cancel", args=[stay.pk])
    assert "free of charge" in client.get(cancel).content.decode()
    response = client.post(cancel)
    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.status == StayStatus.CANCELLED and _taken(twin, _day(5)) == 0
    listing = client.get(reverse("frontend:stay_list")).content.decode()
    assert 'id="past"' in listing and f'id="stay-{stay.pk}"' in listing


def test_a_free_stay_is_confirmed_at_once(booker, twin):
    client = english(booker.user)
    response = client.post(reverse("frontend:stay_book", args=[twin.pk]),
                           {"check_in": _day(3), "check_out": _day(5), "rooms": 1, "step": "confirm"})
    stay = Stay.objects.get(member=booker)
    assert response.status_code == 302 and stay.status == StayStatus.CONFIRMED and stay.member_share_fen == 0


@pytest.mark.parametrize("data, field, message", [
    ({"check_in": _day(5), "check_out": _day(3)}, "check_out", "must be after the check-in date"),
    ({"check_in": _day(2), "check_out": _day(22)}, "check_out", "at most 14 nights"),
    ({"check_in": _day(-2), "check_out": _day(1)}, "check_in", "has passed"),
    ({"check_in": "2026-13-45", "check_out": _day(1)}, "check_in", "Enter a valid date"),
    ({"check_in": _day(2), "check_out": _day(4), "rooms": 0}, "rooms", "greater than or equal to 1"),
    ({"check_in": _day(2), "check_out": _day(4), "rooms": 3}, "rooms", "at most 2 rooms"),
])
def test_bad_input_is_a_field_error_and_books_nothing(booker, twin, data, field, message):
    client = english(booker.user)
    body = {"rooms": 1, "guests": [booker.dependants.get().pk], **data}
    for step in ("quote", "confirm"):
        response = client.post(reverse("frontend:stay_book", args=[twin.pk]), {**body, "step": step})
        html = response.content.decode()
        assert response.status_code == 400, (step, data)
        assert f'id="id_{field}_error"' in html and message in html, (step, data)
    assert not Stay.objects.exists() and not RoomNight.objects.filter(rooms_taken__gt=0).exists()


def test_nights_not_open_or_full_are_refused_on_the_form(booker, twin, orgs):
    client = english(booker.user)
    url = reverse("frontend:stay_book", args=[twin.pk])
    late = client.post(url, {"check_in": _day(39), "check_out": _day(42), "rooms": 1, "step": "confirm"})
    assert late.status_code == 409 and "is not open for booking" in late.content.decode()
    RoomNight.objects.filter(room_type=twin, date=_day(10)).update(rooms_taken=3)
    full = client.post(url, {"check_in": _day(9), "check_out": _day(11), "rooms": 1, "step": "confirm"})
    assert full.status_code == 409 and "No rooms are left" in full.content.decode()
    assert not Stay.objects.exists() and _taken(twin, _day(9)) == 0


def test_someone_elses_dependant_tampered_into_the_post_is_refused(booker, twin, orgs):
    other = factories.member(organisation=orgs["unit"])
    stranger = Dependant.objects.create(member=other, name="李外人", relation="spouse", birth_date=date(1990, 1, 1))
    client = english(booker.user)
    for guests in ([stranger.pk], ["abc"], [booker.dependants.get().pk, 99999999999999999999]):
        response = client.post(reverse("frontend:stay_book", args=[twin.pk]),
                               {"check_in": _day(3), "check_out": _day(5), "rooms": 1, "guests": guests,
                                "step": "confirm"})
        assert response.status_code == 400
        assert "Only you and the family members on your profile" in response.content.decode()
    assert not Stay.objects.exists()


def test_unverified_member_cannot_book(orgs, twin):
    pending = factories.member(organisation=orgs["unit2"], verified=False)
    client = english(pending.user)
    page = client.get(reverse("frontend:room_type_detail", args=[twin.pk])).content.decode()
    assert reverse("frontend:stay_book", args=[twin.pk]) not in page
    response = client.post(reverse("frontend:stay_book", args=[twin.pk]),
                           {"check_in": _day(3), "check_out": _day(5), "rooms": 1, "step": "quote"})
    assert response.status_code == 403 and "must be verified" in response.content.decode()


def test_odd_and_foreign_ids_are_404(booker, twin, orgs):
    other = factories.member(organisation=orgs["unit"])
    client = english(other.user)
    mine = english(booker.user)
    mine.post(reverse("frontend:stay_book", args=[twin.pk]),
              {"check_in": _day(3), "check_out": _day(5), "rooms": 1, "step": "confirm"})
    stay = Stay.objects.get(member=booker)
    for url in (reverse("frontend:stay_detail", args=[stay.pk]), reverse("frontend:stay_cancel", args=[stay.pk]),
                reverse("frontend:stay_detail", args=[999999]), reverse("frontend:stay_book", args=[999999]),
                "/stays/99999999999999999999/", "/rooms/99999999999999999999/book/"):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("frontend:stay_cancel", args=[stay.pk])).status_code == 404
    stay.refresh_from_db()
    assert stay.status == StayStatus.CONFIRMED
    assert client.get("/stays/abc/").status_code == 404


def test_cancel_after_the_deadline_is_refused_with_a_message(booker, twin):
    client = english(booker.user)
    client.post(reverse("frontend:stay_book", args=[twin.pk]),
                {"check_in": _day(1), "check_out": _day(3), "rooms": 1, "step": "confirm"})
    stay = Stay.objects.get(member=booker)
    twin.facility.stay_policy.cancel_deadline_hours = 720
    twin.facility.stay_policy.save()
    page = client.get(reverse("frontend:stay_detail", args=[stay.pk])).content.decode()
    assert reverse("frontend:stay_cancel", args=[stay.pk]) not in page and "contact the sanatorium" in page
    response = client.post(reverse("frontend:stay_cancel", args=[stay.pk]), follow=True)
    assert "Free cancellation ended" in response.content.decode()
    stay.refresh_from_db()
    assert stay.status == StayStatus.CONFIRMED and _taken(twin, _day(1)) == 1
