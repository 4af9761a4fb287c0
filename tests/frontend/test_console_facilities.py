"""Console facility pages: create and edit a facility, edit/retire/delete venues, correct asset records,
delete photos; walk-ins with venue, session and date; one booking as an .ics download."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking, WalkIn
from facilities.models import AssetRecord, Facility, FacilityPhoto, Venue
from portal.members.models import Role
from tests import factories
from tests.bookings import builders

from .conftest import client_for

pytestmark = pytest.mark.django_db

FACILITY = {"name": "甲县职工文化中心", "address": "人民路 8 号", "region_code": "330122", "latitude": "30.274085",
            "longitude": "120.155070", "opening_hours": "09:00–21:00", "contact": "0571-88888888",
            "description": "三层", "accessibility": "无障碍坡道", "status": "open"}


@pytest.fixture
def palace(orgs):
    facility = builders.palace(orgs["city"], name="甲市工人文化宫")
    builders.venue(facility, name="舞蹈教室", capacity=30)
    return facility


@pytest.fixture
def manager(people):
    return client_for(people["palace"])


def test_facility_pages_render_with_labels(manager, palace):
    for url in (reverse("frontend:console:facility_create"),
                reverse("frontend:console:facility_edit", args=[palace.pk]),
                reverse("frontend:console:venue_detail", args=[palace.venues.first().pk])):
        response = manager.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for field in ("name", "region_code") if "venues" not in url else ("name", "capacity", "active"):
            assert f'<label for="id_{field}"' in html, (url, field)
    listing = manager.get(reverse("frontend:console:facilities")).content.decode()
    assert reverse("frontend:console:facility_create") in listing
    detail = manager.get(reverse("frontend:console:facility_detail", args=[palace.pk])).content.decode()
    assert reverse("frontend:console:facility_edit", args=[palace.pk]) in detail
    assert reverse("frontend:console:venue_detail", args=[palace.venues.first().pk]) in detail


def test_create_a_facility_in_the_console(manager, orgs):
    page = manager.get(reverse("frontend:console:facility_create")).content.decode()
    assert "甲县总工会" in page and "乙市总工会" not in page  # only unions in the manager's subtree
    response = manager.post(reverse("frontend:console:facility_create"),
                            {**FACILITY, "organisation": orgs["county"].pk, "kind": "palace"})
    facility = Facility.objects.get(name="甲县职工文化中心")
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:console:facility_detail", args=[facility.pk])
    assert facility.organisation == orgs["county"] and facility.accessibility == "无障碍坡道"


def test_create_with_a_bad_region_code_shows_the_error_and_saves_nothing(manager, orgs):
    response = manager.post(reverse("frontend:console:facility_create"),
                            {**FACILITY, "region_code": "3301", "organisation": orgs["city"].pk, "kind": "palace"})
    assert response.status_code == 400
    assert "field--invalid" in response.content.decode()
    assert not Facility.objects.filter(name="甲县职工文化中心").exists()


def test_create_with_one_coordinate_is_a_field_error_from_the_service(manager, orgs):
    response = manager.post(reverse("frontend:console:facility_create"),
                            {**FACILITY, "longitude": "", "organisation": orgs["city"].pk, "kind": "palace"})
    assert response.status_code == 400
    assert 'id="id_longitude_error"' in response.content.decode()
    assert not Facility.objects.exists()


def test_edit_a_facility(manager, palace):
    url = reverse("frontend:console:facility_edit", args=[palace.pk])
    assert "解放路 1 号" in manager.get(url).content.decode()  # the form starts from the stored values
    response = manager.post(url, {**FACILITY, "name": "甲市工人文化宫", "status": "renovation"})
    assert response.status_code == 302
    palace.refresh_from_db()
    assert palace.status == "renovation" and palace.opening_hours == "09:00–21:00"
    assert palace.region_code == "330122" and palace.organisation.name == "甲市总工会"


def test_edit_with_bad_input_changes_nothing(manager, palace):
    url = reverse("frontend:console:facility_edit", args=[palace.pk])
    response = manager.post(url, {**FACILITY, "region_code": "abcdef", "name": "新名字"})
    assert response.status_code == 400
    assert 'id="id_region_code_error"' in response.content.decode()
    palace.refresh_from_db()
    assert palace.name == "甲市工人文化宫" and palace.region_code == "330100"


def test_members_get_403_on_the_facility_pages(people, palace):
    client = client_for(people["member"].user)
    venue = palace.venues.first()
    for url in (reverse("frontend:console:facility_create"), reverse("frontend:console:facility_edit",
                                                                     args=[palace.pk]),
                reverse("frontend:console:venue_detail", args=[venue.pk])):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {**FACILITY, "organisation": palace.organisation_id}).status_code == 403, url
    assert Facility.objects.count() == 1


def test_edit_and_retire_a_venue(manager, palace):
    venue = palace.venues.first()
    url = reverse("frontend:console:venue_detail", args=[venue.pk])
    response = manager.post(url, {"action": "save", "name": "大舞蹈教室", "kind": "classroom", "capacity": "40",
                                  "description": ""})  # "in use" unticked
    assert response.status_code == 302
    venue.refresh_from_db()
    assert (venue.name, venue.capacity, venue.active) == ("大舞蹈教室", 40, False)
    bad = manager.post(url, {"action": "save", "name": "大舞蹈教室", "kind": "classroom", "capacity": "0"})
    assert bad.status_code == 400
    venue.refresh_from_db()
    assert venue.capacity == 40


def test_duplicate_venue_name_is_a_field_error(manager, palace):
    other = builders.venue(palace, name="书画室")
    response = manager.post(reverse("frontend:console:venue_detail", args=[other.pk]),
                            {"action": "save", "name": "舞蹈教室", "kind": "classroom", "capacity": "10",
                             "active": "on"})
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()
    other.refresh_from_db()
    assert other.name == "书画室"


def test_delete_a_venue_only_when_unused(manager, palace):
    used = palace.venues.first()
    builders.session(builders.activity(palace, venue=used))
    response = manager.post(reverse("frontend:console:venue_detail", args=[used.pk]), {"action": "delete"},
                            follow=True)
    assert Venue.objects.filter(pk=used.pk).exists()
    assert "toast--error" in response.content.decode()  # the service's refusal, shown as a toast
    spare = builders.venue(palace, name="空房间")
    response = manager.post(reverse("frontend:console:venue_detail", args=[spare.pk]), {"action": "delete"})
    assert response.status_code == 302
    assert not Venue.objects.filter(pk=spare.pk).exists()


def test_correct_an_asset_record(manager, palace):
    record = AssetRecord.objects.create(facility=palace, year=2025, book_value_fen=100_00, land_area_m2=1000,
                                        floor_area_m2=800, title_status="held", operating_mode="self_run")
    url = reverse("frontend:console:asset_detail", args=[record.pk])
    assert 'name="book_value_yuan" value="100' in manager.get(url).content.decode()
    detail = manager.get(reverse("frontend:console:facility_detail", args=[palace.pk])).content.decode()
    assert url in detail
    response = manager.post(url, {"book_value_yuan": "2500000.50", "land_area_m2": "1000", "floor_area_m2": "900",
                                  "title_status": "in_progress", "operating_mode": "outsourced", "year": "1990"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.year == 2025 and record.book_value_fen == 250_000_050
    assert record.floor_area_m2 == 900 and record.operating_mode == "outsourced"
    bad = manager.post(url, {"book_value_yuan": "-1", "land_area_m2": "1", "floor_area_m2": "1",
                             "title_status": "held", "operating_mode": "self_run"})
    assert bad.status_code == 400
    record.refresh_from_db()
    assert record.book_value_fen == 250_000_050


def test_delete_a_photo(manager, palace, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "facilities").mkdir()
    (tmp_path / "facilities" / "hall.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    photo = FacilityPhoto.objects.create(facility=palace, image="facilities/hall.png")
    url = reverse("frontend:console:photo_delete", args=[photo.pk])
    assert url in manager.get(reverse("frontend:console:facility_detail", args=[palace.pk])).content.decode()
    assert manager.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(url)
    assert response.status_code == 302
    assert not FacilityPhoto.objects.exists()
    assert not (tmp_path / "facilities" / "hall.png").exists()


def test_photo_file_outlives_a_rolled_back_deletion(people, palace, settings, tmp_path):
    """The file goes only once the row's deletion commits: a rollback keeps the row and its file."""
    from django.db import transaction

    from facilities import services as facility_services

    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "facilities").mkdir()
    (tmp_path / "facilities" / "hall.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    photo = FacilityPhoto.objects.create(facility=palace, image="facilities/hall.png")
    with pytest.raises(RuntimeError), transaction.atomic():
        facility_services.facility_photo_delete(actor=people["palace"], photo=photo)
        raise RuntimeError("the request failed after the delete")
    assert FacilityPhoto.objects.count() == 1
    assert (tmp_path / "facilities" / "hall.png").exists()


# --- Walk-ins ------------------------------------------------------------------------------------------------

@pytest.fixture
def today_session(local_noon, palace):
    return builders.session(builders.activity(palace, title="周末舞会", venue=palace.venues.first()),
                            starts_in=timedelta(minutes=20))


def test_walkin_form_offers_venue_session_and_date(manager, palace, today_session):
    html = manager.get(reverse("frontend:console:checkin")).content.decode()
    for field in ("facility", "venue", "session", "date", "persons"):
        assert f'<label for="id_{field}"' in html, field
    assert "舞蹈教室" in html and "周末舞会" in html
    assert f'value="{timezone.localdate().isoformat()}"' in html


def test_walkin_with_venue_session_and_past_date(manager, palace, today_session):
    venue = palace.venues.first()
    yesterday = timezone.localdate() - timedelta(days=1)
    response = manager.post(reverse("frontend:console:checkin"), {
        "action": "walkin", "facility": palace.pk, "venue": venue.pk, "session": today_session.pk, "persons": "7",
        "date": yesterday.isoformat(), "note": ""})
    assert response.status_code == 302
    walkin = WalkIn.objects.get()
    assert (walkin.venue, walkin.session, walkin.date, walkin.persons) == (venue, today_session, yesterday, 7)
    manager.post(reverse("frontend:console:checkin"),
                 {"action": "walkin", "facility": palace.pk, "persons": "3", "date": ""})
    assert WalkIn.objects.get(persons=3).date == timezone.localdate()


def test_walkin_in_the_future_or_with_another_facilitys_venue_is_refused(manager, palace, orgs):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = manager.post(reverse("frontend:console:checkin"), {
        "action": "walkin", "facility": palace.pk, "persons": "5", "date": tomorrow.isoformat()})
    assert response.status_code == 400
    assert 'id="id_date_error"' in response.content.decode()
    other = builders.palace(orgs["county"], name="甲县工人文化宫")
    foreign_venue = builders.venue(other, name="县剧场")
    response = manager.post(reverse("frontend:console:checkin"), {
        "action": "walkin", "facility": palace.pk, "venue": foreign_venue.pk, "persons": "5"})
    assert response.status_code == 400
    assert not WalkIn.objects.exists()


def test_walkin_choices_follow_the_facility(manager, palace, orgs):
    other = builders.palace(orgs["county"], name="甲县工人文化宫")
    builders.venue(other, name="县剧场")
    page = manager.get(reverse("frontend:console:checkin")).content.decode()
    assert "县剧场" in page and "舞蹈教室" in page  # two facilities: every venue, named with its facility
    partial = manager.get(reverse("frontend:console:checkin"), {"facility": other.pk}, HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert partial.status_code == 200 and 'id="walkin-form"' in html and "<html" not in html
    assert "县剧场" in html and "舞蹈教室" not in html


def test_sibling_staff_cannot_record_walkins_here(people, orgs, palace):
    sibling = factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER)
    client = client_for(sibling)
    page = client.get(reverse("frontend:console:checkin")).content.decode()
    assert "甲市工人文化宫" not in page and "舞蹈教室" not in page
    response = client.post(reverse("frontend:console:checkin"),
                           {"action": "walkin", "facility": palace.pk, "persons": "5"})
    assert response.status_code == 400  # not a choice for them
    assert not WalkIn.objects.exists()


# --- One booking as .ics -------------------------------------------------------------------------------------

def test_ticket_offers_a_single_booking_ics(people, orgs, palace):
    session = builders.session(builders.activity(palace, title="书法入门", venue=palace.venues.first()))
    member = people["member"]
    booking = booking_services.booking_create(member=member, session_id=session.pk, seats=1)
    client = client_for(member.user)
    url = reverse("frontend:booking_ics", args=[booking.pk])
    ticket = client.get(reverse("frontend:booking_detail", args=[booking.pk])).content.decode()
    assert url in ticket and reverse("frontend:calendar_feed") in ticket
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == 1
    assert f"UID:booking-{booking.pk}@union-portal" in body and "书法入门" in body and "STATUS:CONFIRMED" in body
    # Another member's booking does not exist for this member.
    stranger = factories.member(organisation=orgs["unit2"])
    assert client_for(stranger.user).get(url).status_code == 404
    # A cancelled booking has nothing to add to a calendar.
    booking_services.booking_cancel(member=member, booking_id=booking.pk)
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("frontend:booking_detail", args=[booking.pk])).content.decode()
