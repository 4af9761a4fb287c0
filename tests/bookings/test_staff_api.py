"""Staff endpoints: scoping (404 outside the subtree), scheduling, check-in and walk-ins."""

from datetime import timedelta

from rest_framework.test import APIClient

from bookings.models import Session
from portal.members.models import Role
from tests import factories

from . import builders


def test_staff_api_needs_role_and_mfa(orgs, session):
    no_mfa = APIClient()
    no_mfa.force_authenticate(factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER, mfa=False))
    assert no_mfa.get("/api/v1/staff/sessions/").status_code == 403


def test_generate_sessions_and_refuse_over_500(manager_api, free_activity):
    url = f"/api/v1/staff/activities/{free_activity.pk}/generate/"
    body = {"rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=10", "first_start": "2031-03-01T09:00:00",
            "duration_minutes": 90, "capacity": 20, "exdates": ["2031-03-15"]}
    response = manager_api.post(url, body, format="json")
    assert response.status_code == 201 and len(response.json()) == 9
    too_many = manager_api.post(url, {**body, "rrule": "FREQ=DAILY;COUNT=600"}, format="json")
    assert too_many.status_code == 400 and "rrule" in too_many.json()["errors"]
    assert Session.objects.count() == 9


def test_outsiders_get_404(other_manager, free_activity, session):
    client = APIClient()
    factories.sign_in(client, other_manager)
    url = f"/api/v1/staff/activities/{free_activity.pk}/generate/"
    assert client.post(url, {"rrule": "FREQ=DAILY;COUNT=2", "first_start": "2031-03-01T09:00:00",
                             "duration_minutes": 60}, format="json").status_code == 404
    assert client.post(f"/api/v1/staff/sessions/{session.pk}/capacity/", {"capacity": 9},
                       format="json").status_code == 404
    assert client.get("/api/v1/staff/sessions/").json()["count"] == 0


def test_capacity_move_cancel(manager_api, session, member_api):
    member_api.post("/api/v1/bookings/", {"session": session.pk, "seats": 2}, format="json")
    low = manager_api.post(f"/api/v1/staff/sessions/{session.pk}/capacity/", {"capacity": 1}, format="json")
    assert low.status_code == 400 and "capacity" in low.json()["errors"]
    ok = manager_api.post(f"/api/v1/staff/sessions/{session.pk}/capacity/", {"capacity": 5}, format="json")
    assert ok.json()["capacity"] == 5 and ok.json()["remaining"] == 3
    assert manager_api.get(f"/api/v1/staff/sessions/{session.pk}/bookings/").json()["count"] == 1
    assert manager_api.post(f"/api/v1/staff/sessions/{session.pk}/cancel/", {}, format="json").status_code == 400
    cancelled = manager_api.post(f"/api/v1/staff/sessions/{session.pk}/cancel/", {"reason": "停电"}, format="json")
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["booked"] == 0
    assert member_api.get("/api/v1/bookings/").json()["results"][0]["status"] == "cancelled"


def test_checkin_endpoint(manager_api, other_manager, free_activity, member_api):
    session = builders.session(free_activity, starts_in=timedelta(hours=3))
    code = member_api.post("/api/v1/bookings/", {"session": session.pk}, format="json").json()["ticket_code"]
    other = APIClient()
    factories.sign_in(other, other_manager)
    wrong = other.post("/api/v1/staff/checkins/", {"code": code}, format="json")
    assert wrong.status_code == 403 and wrong.json()["detail"]
    first = manager_api.post("/api/v1/staff/checkins/", {"code": code}, format="json")
    assert first.status_code == 200 and first.json()["checked_in_at"]
    second = manager_api.post("/api/v1/staff/checkins/", {"code": code}, format="json")
    assert second.status_code == 409 and second.json()["type"] == "already_checked_in"
    assert manager_api.post("/api/v1/staff/checkins/", {"code": "x" * 16}, format="json").status_code == 404


def test_walkin_endpoint(manager_api, facility, other_manager):
    response = manager_api.post("/api/v1/staff/walk-ins/", {"facility": facility.pk, "persons": 12}, format="json")
    assert response.status_code == 201
    assert manager_api.get("/api/v1/staff/walk-ins/").json()["count"] == 1
    bad = manager_api.post("/api/v1/staff/walk-ins/", {"facility": facility.pk, "persons": 0}, format="json")
    assert bad.status_code == 400
    other = APIClient()
    factories.sign_in(other, other_manager)
    assert other.post("/api/v1/staff/walk-ins/", {"facility": facility.pk, "persons": 2},
                      format="json").status_code == 404


def test_create_activity(manager_api, facility):
    response = manager_api.post("/api/v1/staff/activities/", {
        "facility": facility.pk, "kind": "event", "title": "劳模事迹报告会", "category": "performance",
        "price_fen": 0, "opens_hours_before": 240, "closes_hours_before": 2}, format="json")
    assert response.status_code == 201, response.json()
    bad = manager_api.post("/api/v1/staff/activities/", {
        "facility": facility.pk, "kind": "event", "title": "x", "category": "performance",
        "opens_hours_before": 1, "closes_hours_before": 2}, format="json")
    assert bad.status_code == 400
    unknown = manager_api.post("/api/v1/staff/activities/", {
        "facility": facility.pk, "kind": "event", "title": "x", "category": "performance",
        "member_categories": ["astronauts"]}, format="json")
    assert unknown.status_code == 400 and "member_categories" in unknown.json()["errors"]


def test_staff_session_bookings_constant_queries(manager_api, session, make_member,
                                                 django_assert_max_num_queries):
    from bookings import services

    session.capacity = 30
    session.save()
    for _ in range(12):
        services.booking_create(member=make_member(), session_id=session.pk)
    with django_assert_max_num_queries(12):
        response = manager_api.get(f"/api/v1/staff/sessions/{session.pk}/bookings/")
    assert response.json()["count"] == 12


def test_venue_belongs_to_facility(manager_api, facility, orgs):
    other = builders.palace(orgs["city"], name="甲市第二工人文化宫")
    venue = builders.venue(other)
    act = builders.activity(facility)
    response = manager_api.post(f"/api/v1/staff/activities/{act.pk}/generate/", {
        "rrule": "FREQ=DAILY;COUNT=2", "first_start": "2031-03-01T09:00:00", "duration_minutes": 60,
        "venue": venue.pk}, format="json")
    assert response.status_code == 400 and "venue" in response.json()["errors"]


def test_list_filters_outside_the_subtree_are_403(other_manager, facility, free_activity):
    client = APIClient()
    factories.sign_in(client, other_manager)
    assert client.get("/api/v1/staff/activities/", {"facility": facility.pk}).status_code == 403
    assert client.get("/api/v1/staff/sessions/", {"activity": free_activity.pk}).status_code == 403
    assert client.get("/api/v1/staff/sessions/", {"activity": "x"}).status_code == 400
