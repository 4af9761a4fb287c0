"""Sanatorium stays in Chromium: a member books a stay with a dependant (the price split shown before confirming)
and pays their share with the test card; without JavaScript a member browses, books and cancels; staff open
nights and check guests in and out."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Stay, StayStatus
from facilities.models import RoomNight
from portal.members.models import Dependant, Role
from portal.stats.models import ServiceRecord
from tests import factories
from tests.facilities import rooms
from tests.payments.conftest import localstripe, localstripe_url, webhooks_to  # noqa: F401 - fixtures

from .conftest import login
from .test_payments import one_request_at_a_time, pay_with  # noqa: F401 - fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lake_room(orgs):
    sanatorium = rooms.sanatorium(orgs["city"], name="甲市职工疗休养院")
    room = rooms.room_type(sanatorium, name="湖景双人间", rooms=3)
    rooms.open_nights(room, days=60)
    return room


def _day(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def _member_with_child(orgs, email: str):
    member = factories.member(organisation=orgs["unit"], email=email, real_name="王疗养")
    Dependant.objects.create(member=member, name="王小宝", relation="child", birth_date=date(2016, 3, 1))
    return member


def _book(page, *, check_in: date, check_out: date, child: bool):
    page.get_by_role("link", name="Sanatoriums").first.click()
    page.get_by_role("link", name="甲市职工疗休养院").first.click()
    page.get_by_role("link", name="Availability 湖景双人间").click()
    expect(page.get_by_test_id("month-grid")).to_be_visible()
    page.get_by_role("link", name="Book a stay").click()
    page.fill("input[name=check_in]", check_in.isoformat())
    page.fill("input[name=check_out]", check_out.isoformat())
    if child:
        page.get_by_label("王小宝 · Child").check()
    page.get_by_role("button", name="See the price").click()


def test_member_books_a_stay_with_a_dependant_and_pays_their_share(new_page, orgs, lake_room, live_server,
                                                                   webhooks_to, one_request_at_a_time):  # noqa: F811
    webhooks_to(f"{live_server.url}/webhooks/stripe/")
    member = _member_with_child(orgs, "stayer@example.com")
    page = new_page(language="en")
    login(page, email="stayer@example.com", password=factories.PASSWORD)
    _book(page, check_in=_day(5), check_out=_day(7), child=True)
    split = page.get_by_test_id("split")  # shown before anything is booked
    expect(split).to_contain_text("¥1,000.00")  # 2 nights: the member's (free) and the child's at cost
    expect(split).to_contain_text("¥400.00")
    expect(page.get_by_test_id("member-share")).to_have_text("¥600.00")
    with one_request_at_a_time:
        assert not Stay.objects.exists()
    page.get_by_role("button", name="Confirm stay").click()
    expect(page.get_by_test_id("guests")).to_have_text("王疗养、王小宝")
    expect(page.get_by_test_id("payment-hold")).to_be_visible()
    page.get_by_test_id("pay").click()
    expect(page.get_by_test_id("payment-amounts")).to_contain_text("¥600.00")
    pay_with(page, "4242 4242 4242 4242")
    expect(page.get_by_text("Payment confirmed.")).to_be_visible(timeout=20_000)
    with one_request_at_a_time:
        stay = Stay.objects.get(member=member)
        assert stay.status == StayStatus.CONFIRMED and stay.member_share_fen == 60_000
        assert RoomNight.objects.get(room_type=lake_room, date=_day(5)).rooms_taken == 1
    page.goto(f"/stays/{stay.pk}/")
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()


def test_without_javascript_a_member_books_and_cancels(new_page, orgs, lake_room):
    member = _member_with_child(orgs, "nojs@example.com")
    page = new_page(language="en", javascript=False)
    login(page, email="nojs@example.com", password=factories.PASSWORD)
    _book(page, check_in=_day(10), check_out=_day(10), child=False)
    expect(page.locator("#id_check_out_error")).to_contain_text("must be after the check-in date")
    page.fill("input[name=check_out]", _day(12).isoformat())
    page.get_by_role("button", name="See the price").click()
    expect(page.get_by_test_id("member-share")).to_have_text("¥0.00")  # the member's own nights are free
    page.get_by_role("button", name="Confirm stay").click()
    expect(page.locator("#toasts")).to_contain_text("Your stay is booked.")
    stay = Stay.objects.get(member=member)
    assert stay.status == StayStatus.CONFIRMED
    page.get_by_role("link", name="My stays").first.click()
    page.locator(f"#stay-{stay.pk}").get_by_role("link").click()
    page.get_by_role("link", name="Cancel stay").click()
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.locator("#toasts")).to_contain_text("Your stay is cancelled")
    stay.refresh_from_db()
    assert stay.status == StayStatus.CANCELLED
    assert RoomNight.objects.get(room_type=lake_room, date=_day(10)).rooms_taken == 0


def test_staff_open_nights_then_check_a_guest_in_and_out(new_page, orgs, lake_room):
    factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER, email="rooms@example.com")
    member = factories.member(organisation=orgs["unit"], real_name="赵住客")
    stay = Stay.objects.create(member=member, room_type=lake_room, check_in=_day(0), check_out=_day(1), rooms=1,
                               status=StayStatus.CONFIRMED, amount_fen=0)
    stay.guests.create(is_member=True, name="赵住客", nights=1)
    page = new_page(language="en")
    login(page, email="rooms@example.com", password=factories.PASSWORD, totp_secret=factories.TOTP_SECRET)
    page.goto("/console/")
    page.get_by_role("navigation", name="Staff console").get_by_role("link", name="Sanatoriums").click()
    page.get_by_role("link", name="Nights 湖景双人间").click()
    page.get_by_text("Change the room count").click()
    page.fill("input[name=resize-start]", _day(70).isoformat())
    page.fill("input[name=resize-last]", _day(75).isoformat())
    page.fill("input[name=resize-rooms]", "2")
    page.get_by_role("button", name="Change", exact=True).click()
    expect(page.locator("#id_resize-start_error")).to_contain_text("No nights are open in this range")
    page.get_by_text("Open nights").click()
    page.fill("input[name=open-start]", _day(70).isoformat())
    page.fill("input[name=open-last]", _day(75).isoformat())
    page.fill("input[name=open-rooms]", "2")
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page.locator("#toasts")).to_contain_text("6 nights open.")
    assert RoomNight.objects.filter(room_type=lake_room, date__gte=_day(70), rooms_open=2).count() == 6
    page.goto("/console/stays/")
    page.locator(f"#arrival-{stay.pk}").get_by_role("button", name="Check in").click()
    expect(page.locator("#toasts")).to_contain_text("赵住客 is checked in.")
    page.get_by_role("link", name="Next day").click()
    page.locator(f"#departure-{stay.pk}").get_by_role("button", name="Check out").click()
    expect(page.locator("#toasts")).to_contain_text("赵住客 is checked out.")
    assert ServiceRecord.objects.filter(kind="stay").count() == 1
