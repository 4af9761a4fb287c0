"""Quality bars in Chromium: axe-core finds no serious or critical violation; booking works without JavaScript."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from bookings import services
from bookings.models import Booking
from portal.members.models import Role
from tests import factories
from tests.bookings import builders

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(orgs):
    facility = builders.palace(orgs["city"], name="甲市工人文化宫")
    builders.venue(facility, name="书法教室", capacity=20)
    activity = builders.activity(facility, title="书法入门", venue=facility.venues.first())
    session = builders.session(activity, capacity=5)
    member = factories.member(organisation=orgs["unit"], email="axe-member@example.com")
    booking = services.booking_create(member=member, session_id=session.pk)
    pending = factories.member(organisation=orgs["unit2"], verified=False)
    factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER, email="axe-palace@example.com")
    factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, email="axe-officer@example.com")
    return {"facility": facility, "activity": activity, "session": session, "booking": booking,
            "pending": pending, "week": timezone.localtime(session.start).date().isoformat()}


def serious(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in violations
            if v.get("impact") in ("serious", "critical")]


def check(page, paths) -> dict:
    found = {}
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        problems = serious(page)
        if problems:
            found[path] = problems
    return found


def test_no_serious_accessibility_violations(new_page, scene):
    s = scene
    found = {}
    anonymous = new_page()
    found.update(check(anonymous, ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
                                   "/palaces/"]))
    member = new_page()
    login(member, email="axe-member@example.com", password=factories.PASSWORD)
    found.update(check(member, [
        "/", "/palaces/", f"/palaces/{s['facility'].pk}/?week={s['week']}", f"/sessions/{s['session'].pk}/book/",
        "/bookings/", f"/bookings/{s['booking'].pk}/", f"/bookings/{s['booking'].pk}/cancel/", "/me/", "/me/edit/",
        "/me/calendar/", "/inbox/", "/me/access-log/"]))
    palace = new_page(language="en")
    login(palace, email="axe-palace@example.com", password=factories.PASSWORD, totp_secret=factories.TOTP_SECRET)
    found.update(check(palace, [
        "/console/", "/console/facilities/", f"/console/facilities/{s['facility'].pk}/", "/console/activities/",
        "/console/activities/new/", f"/console/activities/{s['activity'].pk}/",
        f"/console/activities/{s['activity'].pk}/schedule/", f"/console/sessions/{s['session'].pk}/",
        f"/console/sessions/{s['session'].pk}/roster/", "/console/checkin/"]))
    officer = new_page(language="en")
    login(officer, email="axe-officer@example.com", password=factories.PASSWORD, totp_secret=factories.TOTP_SECRET)
    found.update(check(officer, ["/console/members/", f"/console/members/{s['pending'].pk}/", "/console/audit/",
                                 "/console/audit/?action=view_personal_record"]))
    assert found == {}


def test_browse_book_and_cancel_without_javascript(new_page, orgs):
    facility = builders.palace(orgs["city"], name="甲市工人文化宫")
    session = builders.session(builders.activity(facility, title="无脚本班"), capacity=3,
                               starts_in=timedelta(days=2))
    member = factories.member(organisation=orgs["unit"], email="nojs@example.com")
    page = new_page(language="en", javascript=False)
    login(page, email="nojs@example.com", password=factories.PASSWORD)
    page.goto("/palaces/")
    page.get_by_role("link", name="甲市工人文化宫").first.click()
    page.goto(f"/palaces/{facility.pk}/?week={timezone.localtime(session.start).date().isoformat()}")
    page.locator(f"#session-{session.pk}").get_by_role("link", name="Book").click()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.locator(".qr-ticket svg")).to_be_visible()
    page.get_by_role("link", name="Cancel booking").click()
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.locator("#toasts")).to_contain_text("cancelled")
    assert Booking.objects.get(member=member).status == "cancelled"
    # The language switch has a submit button for browsers without JavaScript.
    page.select_option("#pref-lang", "zh-hans")
    page.locator(".prefs form").first.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
