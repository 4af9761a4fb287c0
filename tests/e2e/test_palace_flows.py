"""Palace flows in Chromium: book, ticket, waitlist offer, cancel; staff schedule, check in, cancel a session."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings import services
from bookings.models import Booking, Session
from portal.members.models import Role
from tests import factories
from tests.bookings import builders

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def palace(orgs):
    facility = builders.palace(orgs["city"], name="甲市工人文化宫")
    builders.venue(facility, name="书法教室", capacity=20)
    return facility


def week_of(session) -> str:
    return timezone.localtime(session.start).date().isoformat()


def test_member_books_opens_ticket_joins_waitlist_accepts_offer_and_cancels(new_page, orgs, palace):
    free = builders.session(builders.activity(palace, title="书法入门", venue=palace.venues.first()), capacity=5)
    full = builders.session(builders.activity(palace, title="热门瑜伽"), capacity=1,
                            starts_in=timedelta(days=3, hours=2))
    holder = factories.member(organisation=orgs["unit"])
    holding = services.booking_create(member=holder, session_id=full.pk)
    member = factories.member(organisation=orgs["unit"], email="booker@example.com")

    page = new_page(language="en")
    login(page, email="booker@example.com", password=factories.PASSWORD)
    page.get_by_role("link", name="Palaces").first.click()
    page.get_by_role("link", name="甲市工人文化宫").first.click()
    page.goto(page.url.split("?")[0] + f"?week={week_of(free)}")
    page.locator(f"#session-{free.pk}").get_by_role("link", name="Book").click()
    expect(page.get_by_text("Free cancellation")).to_be_visible()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.locator(".qr-ticket svg")).to_be_visible()  # the ticket with its QR code
    booking = Booking.objects.get(member=member, session=free)
    expect(page.get_by_test_id("ticket-short")).to_have_text(booking.ticket_short_display)  # typed form

    page.goto(f"/palaces/{palace.pk}/?week={week_of(full)}")
    page.locator(f"#session-{full.pk}").get_by_role("link", name="Join the waitlist").click()
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.locator(".alert").first).to_contain_text("waitlist")
    services.booking_cancel(member=holder, booking_id=holding.pk)  # a seat frees up: the offer goes out
    page.goto("/bookings/")
    offer = page.locator("#offers ~ ul, section[aria-labelledby=offers]").first
    expect(offer).to_contain_text("热门瑜伽")
    offer.get_by_role("button", name="Accept").click()
    expect(page.locator(".qr-ticket svg")).to_be_visible()
    assert Booking.objects.get(member=member, session=full).status == "confirmed"

    page.get_by_role("link", name="Cancel booking").click()
    expect(page.locator(".alert--ok")).to_contain_text("free of charge")  # the deadline comes first
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.locator("#toasts")).to_contain_text("cancelled")
    assert Booking.objects.get(member=member, session=full).status == "cancelled"


def test_staff_schedule_check_in_and_cancel_a_session(new_page, orgs, palace):
    factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER, email="palace-e2e@example.com")
    activity = builders.activity(palace, title="合唱团", venue=palace.venues.first())
    member = factories.member(organisation=orgs["unit"], email="singer@example.com", real_name="孙歌手")
    soon = builders.session(activity, capacity=10, starts_in=timedelta(hours=3))
    ticket = services.booking_create(member=member, session_id=soon.pk)

    staff = new_page(language="en")
    login(staff, email="palace-e2e@example.com", password=factories.PASSWORD, totp_secret=factories.TOTP_SECRET)
    staff.goto("/console/activities/")
    staff.get_by_role("link", name="Schedule 合唱团").click()
    first = (timezone.localdate() + timedelta(days=8)).isoformat() + "T18:30"
    staff.fill("input[name=first_start]", first)
    staff.fill("input[name=duration_minutes]", "90")
    staff.fill("input[name=rrule]", "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=16")
    staff.get_by_role("button", name="Preview dates").click()
    expect(staff.get_by_test_id("preview").locator("li")).to_have_count(16)
    assert Session.objects.filter(activity=activity).count() == 1  # the preview saved nothing
    staff.get_by_role("button", name="Create 16 sessions").click()
    expect(staff.locator("#toasts")).to_contain_text("16")
    assert Session.objects.filter(activity=activity).count() == 17

    staff.goto("/console/checkin/")
    staff.fill("input[name=code]", ticket.ticket_code)
    staff.get_by_role("button", name="Check in", exact=True).click()
    expect(staff.locator("#checkin-result")).to_contain_text("Checked in: 孙歌手")
    staff.fill("input[name=code]", ticket.ticket_short_display.lower())  # typed when a QR will not scan
    staff.get_by_role("button", name="Check in", exact=True).click()
    expect(staff.locator("#checkin-result")).to_contain_text("Already checked in at")

    later = Session.objects.filter(activity=activity).exclude(pk=soon.pk).order_by("start").first()
    services.booking_create(member=member, session_id=later.pk)
    staff.goto(f"/console/sessions/{later.pk}/")
    expect(staff.get_by_test_id("affected")).to_contain_text("1 member")
    staff.fill("textarea[name=reason]", "Hall repairs")
    staff.get_by_role("button", name="Cancel the session").click()
    expect(staff.locator("#toasts")).to_contain_text("1 member has been told")

    member_page = new_page(language="en")
    login(member_page, email="singer@example.com", password=factories.PASSWORD)
    member_page.goto("/bookings/")
    expect(member_page.locator("main")).to_contain_text("Session cancelled")
    member_page.goto("/inbox/")
    expect(member_page.locator("main")).to_contain_text("合唱团")
