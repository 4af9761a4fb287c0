"""Console pages for palaces: activities, scheduling with preview, sessions, rosters, check-in, walk-ins."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Activity, Booking, Session
from portal.members.models import Role
from portal.notifications.models import Message
from portal.stats.models import ServiceRecord
from tests import factories
from tests.bookings import builders

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def palace(orgs):
    facility = builders.palace(orgs["city"])
    builders.venue(facility, capacity=30)
    return facility


@pytest.fixture
def manager(people):
    return client_for(people["palace"])


def test_pages_render(manager, palace, people):
    activity = builders.activity(palace, venue=palace.venues.first())
    session = builders.session(activity)
    for url in (reverse("frontend:console:today"), reverse("frontend:console:facilities"),
                reverse("frontend:console:facility_detail", args=[palace.pk]),
                reverse("frontend:console:activities"), reverse("frontend:console:activity_create"),
                reverse("frontend:console:activity_detail", args=[activity.pk]),
                reverse("frontend:console:activity_schedule", args=[activity.pk]),
                reverse("frontend:console:session_detail", args=[session.pk]),
                reverse("frontend:console:session_roster", args=[session.pk]),
                reverse("frontend:console:checkin")):
        response = manager.get(url)
        assert response.status_code == 200, url


def test_create_activity_then_schedule_with_preview(manager, palace):
    response = manager.post(reverse("frontend:console:activity_create"), {
        "facility": palace.pk, "venue": palace.venues.first().pk, "kind": "class_series", "title": "太极拳",
        "category": "sports", "description": "", "price_yuan": "0", "max_seats_per_booking": "1",
        "opens_hours_before": "336", "closes_hours_before": "1", "cancel_hours_before": "24",
        "waitlist_enabled": "on", "published": "on",
    })
    activity = Activity.objects.get(title="太极拳")
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:console:activity_schedule", args=[activity.pk])
    first = (timezone.localdate() + timedelta(days=7)).isoformat() + "T19:00"
    url = reverse("frontend:console:activity_schedule", args=[activity.pk])
    form = {"first_start": first, "duration_minutes": "90", "weekdays": ["TU", "TH"], "weeks": "6", "rrule": "",
            "exdates": "", "capacity": "20", "venue": palace.venues.first().pk}
    preview = manager.post(url, {**form, "preview": "1"})
    assert preview.status_code == 200
    assert preview.content.decode().count("<li>") >= 12
    assert not Session.objects.filter(activity=activity).exists()  # nothing saved by a preview
    saved = manager.post(url, {**form, "save": "1"})
    assert saved.status_code == 302
    assert Session.objects.filter(activity=activity).count() == 12
    too_many = manager.post(url, {**form, "rrule": "FREQ=DAILY;COUNT=600", "preview": "1"})
    assert too_many.status_code == 400
    assert "field--invalid" in too_many.content.decode()


def test_capacity_change_and_cancel_tell_members(manager, palace, people, django_capture_on_commit_callbacks):
    session = builders.session(builders.activity(palace), capacity=5)
    services.booking_create(member=people["member"], session_id=session.pk)
    url = reverse("frontend:console:session_detail", args=[session.pk])
    page = manager.get(url).content.decode()
    assert 'data-testid="affected" data-booked="1" data-waitlisted="0">1' in page
    too_low = manager.post(url, {"action": "capacity", "capacity": "0"})
    assert too_low.status_code == 400
    assert manager.post(url, {"action": "capacity", "capacity": "8"}).status_code == 302
    session.refresh_from_db()
    assert session.capacity == 8
    assert manager.post(url, {"action": "cancel", "reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert manager.post(url, {"action": "cancel", "reason": "场馆维修"}).status_code == 302
    session.refresh_from_db()
    assert session.status == "cancelled"
    assert Booking.objects.get(session=session).status == "cancelled"
    assert Message.objects.filter(user=people["member"].user, kind="session_cancelled").exists()


def test_roster_csv(manager, palace, people):
    session = builders.session(builders.activity(palace))
    services.booking_create(member=people["member"], session_id=session.pk)
    response = manager.get(reverse("frontend:console:session_roster_csv", args=[session.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "王会员" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_checkin_outcomes_are_told_apart(manager, palace, people, orgs):
    session = builders.session(builders.activity(palace), starts_in=timedelta(hours=2))
    booking = services.booking_create(member=people["member"], session_id=session.pk)
    url = reverse("frontend:console:checkin")
    ok = manager.post(url, {"code": booking.ticket_code}).content.decode()
    assert "checkin-result--ok" in ok and "王会员" in ok
    again = manager.post(url, {"code": booking.ticket_code}, HTTP_HX_REQUEST="true").content.decode()
    assert "checkin-result--warn" in again and "<html" not in again
    assert manager.post(url, {"code": "nope"}).content.decode().count("checkin-result--error") == 1
    other_palace = builders.palace(orgs["sibling"], name="乙市工人文化宫")
    other = builders.session(builders.activity(other_palace), starts_in=timedelta(hours=2))
    foreign = services.booking_create(member=factories.member(organisation=orgs["sibling_unit"]),
                                      session_id=other.pk)
    wrong = manager.post(url, {"code": foreign.ticket_code}).content.decode()
    assert "checkin-result--error" in wrong and "乙市工人文化宫" in wrong
    assert ServiceRecord.objects.count() == 1


def test_walk_in_head_count(manager, palace):
    response = manager.post(reverse("frontend:console:checkin"),
                            {"action": "walkin", "facility": palace.pk, "persons": "12", "note": "阅览室"})
    assert response.status_code == 302
    assert ServiceRecord.objects.get().persons == 12
    assert manager.post(reverse("frontend:console:checkin"),
                        {"action": "walkin", "facility": palace.pk, "persons": "0"}).status_code == 400


def test_today_shows_sessions_and_fill(local_noon, manager, palace, people):
    builders.session(builders.activity(palace, title="晨练"), starts_in=timedelta(minutes=30))
    html = manager.get(reverse("frontend:console:today")).content.decode()
    assert "晨练" in html


def test_officer_role_cannot_schedule(people, palace):
    factories.staff(organisation=people["member"].organisation, role=Role.UNION_OFFICER)
    activity = builders.activity(palace)
    officer = client_for(people["officer"])
    assert officer.get(reverse("frontend:console:activity_schedule", args=[activity.pk])).status_code == 403


def test_facility_venue_asset_and_photo_forms(manager, palace, people, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.images import png_bytes

    settings.MEDIA_ROOT = tmp_path
    url = reverse("frontend:console:facility_detail", args=[palace.pk])
    assert manager.post(url, {"action": "venue", "venue-name": "乒乓球室", "venue-kind": "court",
                              "venue-capacity": "8"}).status_code == 302
    assert palace.venues.filter(name="乒乓球室").exists()
    duplicate = manager.post(url, {"action": "venue", "venue-name": "乒乓球室", "venue-kind": "court",
                                   "venue-capacity": "8"})
    assert duplicate.status_code == 400
    asset = {"action": "asset", "asset-year": "2025", "asset-book_value_yuan": "1200000.50",
             "asset-land_area_m2": "5000", "asset-floor_area_m2": "8000", "asset-title_status": "held",
             "asset-operating_mode": "self_run"}
    assert manager.post(url, asset).status_code == 302
    assert palace.asset_records.get(year=2025).book_value_fen == 120000050
    png = SimpleUploadedFile("hall.png", png_bytes(), content_type="image/png")
    assert manager.post(url, {"action": "photo", "photo-image": png, "photo-caption": "大厅"}).status_code == 302
    assert palace.photos.count() == 1
    not_image = SimpleUploadedFile("x.png", b"hello", content_type="image/png")
    assert manager.post(url, {"action": "photo", "photo-image": not_image}).status_code == 400
    # An officer (no facility rights) cannot post here at all.
    assert client_for(people["officer"]).post(url, asset).status_code == 403


def test_move_a_session_and_the_calendar(manager, palace, people):
    session = builders.session(builders.activity(palace, title="周末舞会"), starts_in=timedelta(days=4))
    services.booking_create(member=people["member"], session_id=session.pk)
    new_start = timezone.localtime(session.start + timedelta(days=1))
    response = manager.post(reverse("frontend:console:session_detail", args=[session.pk]), {
        "action": "move", "start": new_start.strftime("%Y-%m-%dT%H:%M"),
        "end": (new_start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "venue": ""})
    assert response.status_code == 302
    session.refresh_from_db()
    assert timezone.localtime(session.start).strftime("%Y-%m-%dT%H:%M") == new_start.strftime("%Y-%m-%dT%H:%M")
    assert Message.objects.filter(user=people["member"].user, kind="session_moved").exists()
    backwards = manager.post(reverse("frontend:console:session_detail", args=[session.pk]), {
        "action": "move", "start": new_start.strftime("%Y-%m-%dT%H:%M"),
        "end": (new_start - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")})
    assert backwards.status_code == 400
    calendar = manager.get(reverse("frontend:console:session_calendar"),
                           {"week": new_start.date().isoformat()}).content.decode()
    assert "周末舞会" in calendar
