"""The bookings API as a client sees it: statuses, counters and the error format."""

from datetime import timedelta

from rest_framework.test import APIClient

from bookings.models import Booking, BookingStatus, Session

from . import builders


def book(client, session, **body):
    return client.post("/api/v1/bookings/", {"session": session.pk, **body}, format="json")


def test_sessions_list_shows_capacity_remaining_price_and_bookable(session, member_api, api):
    body = member_api.get("/api/v1/sessions/", {"facility": session.activity.facility_id}).json()
    row = body["results"][0]
    assert (row["capacity"], row["remaining"], row["price"], row["bookable"]) == (3, 3, 0, True)
    anonymous = api.get("/api/v1/sessions/").json()["results"][0]
    assert anonymous["bookable"] is False and anonymous["reason"] == "login_required"
    assert api.get("/api/v1/sessions/", {"start": "not-a-date"}).json()["errors"]["start"]
    assert api.get("/api/v1/sessions/", {"category": "poetry"}).status_code == 400
    assert api.get(f"/api/v1/sessions/{session.pk}/").json()["remaining"] == 3


def test_book_confirmed_then_409_when_full(session, member_api, make_member):
    response = book(member_api, session, seats=2)
    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"
    other = APIClient()
    other.force_authenticate(make_member().user)
    assert book(other, session, seats=1).status_code == 201
    third = APIClient()
    third.force_authenticate(make_member().user)
    full = book(third, session)
    assert full.status_code == 409
    assert full.json()["type"] == "full" and full.json()["detail"]
    waitlisted = book(third, session, waitlist=True)
    assert waitlisted.status_code == 201 and waitlisted.json()["status"] == "waitlisted"


def test_paid_booking_pending_payment(paid_activity, member_api):
    session = builders.session(paid_activity)
    response = book(member_api, session)
    assert response.status_code == 201
    assert response.json()["status"] == "pending_payment" and response.json()["hold_expires_at"]


def test_bad_input_changes_nothing(session, member_api, free_activity):
    for body in ({"seats": 0}, {"seats": -2}, {"seats": 5}, {"seats": "many"}):
        response = book(member_api, session, **body)
        assert response.status_code == 400 and "seats" in response.json()["errors"]
    assert member_api.post("/api/v1/bookings/", {"session": 99999}, format="json").json()["errors"]["session"]
    past = builders.session(free_activity, starts_in=timedelta(hours=-2))
    assert book(member_api, past).status_code == 409
    session.refresh_from_db()
    assert session.booked == 0 and not Booking.objects.exists()
    assert Session.objects.get(pk=past.pk).booked == 0


def test_unverified_member_is_403(session, make_member):
    client = APIClient()
    client.force_authenticate(make_member(verified=False).user)
    response = book(client, session)
    assert response.status_code == 403 and response.json()["type"] == "not_verified"


def test_anonymous_cannot_book(session, api):
    assert book(api, session).status_code in (401, 403)


def test_own_bookings_only_and_cancel(session, member_api, make_member):
    booking_id = book(member_api, session).json()["id"]
    assert [b["id"] for b in member_api.get("/api/v1/bookings/").json()["results"]] == [booking_id]
    stranger = APIClient()
    stranger.force_authenticate(make_member().user)
    assert stranger.get(f"/api/v1/bookings/{booking_id}/").status_code == 404
    assert stranger.post(f"/api/v1/bookings/{booking_id}/cancel/").status_code == 404
    assert member_api.get("/api/v1/bookings/424242/").status_code == 404
    response = member_api.post(f"/api/v1/bookings/{booking_id}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    session.refresh_from_db()
    assert session.booked == 0
    again = member_api.post(f"/api/v1/bookings/{booking_id}/cancel/")
    assert again.status_code == 409


def test_ticket_qr_svg(session, member_api):
    booking_id = book(member_api, session).json()["id"]
    response = member_api.get(f"/api/v1/bookings/{booking_id}/ticket/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml" and b"<svg" in response.content


def test_waitlist_offer_accept_via_api(session, member_api, make_member, django_capture_on_commit_callbacks):
    holders = []
    for _ in range(3):
        client = APIClient()
        client.force_authenticate(make_member().user)
        holders.append((client, book(client, session).json()["id"]))
    waiting_id = book(member_api, session, waitlist=True).json()["id"]
    client, booking_id = holders[0]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/bookings/{booking_id}/cancel/")
    assert member_api.get(f"/api/v1/bookings/{waiting_id}/").json()["status"] == "offered"
    accepted = member_api.post(f"/api/v1/bookings/{waiting_id}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "confirmed"
    assert member_api.post(f"/api/v1/bookings/{waiting_id}/decline/").status_code == 409


def test_calendar_feed_url_and_revocation(session, member_api, api):
    book(member_api, session)
    url = member_api.get("/api/v1/calendar-feed/").json()["url"]
    path = url.split("testserver", 1)[1]
    feed = api.get(path)
    assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.content
    new_url = member_api.post("/api/v1/calendar-feed/").json()["url"]
    assert new_url != url
    assert api.get(path).status_code == 404
    assert member_api.delete("/api/v1/calendar-feed/").status_code == 204
    assert api.get(new_url.split("testserver", 1)[1]).status_code == 404


def test_suspension_endpoint(member_api):
    assert member_api.get("/api/v1/booking-suspension/").json() == {"suspended": False, "reason": "",
                                                                   "ends_at": None}


def test_bookings_status_filter(session, member_api):
    book(member_api, session)
    assert member_api.get("/api/v1/bookings/", {"status": "cancelled"}).json()["count"] == 0
    assert member_api.get("/api/v1/bookings/", {"status": BookingStatus.CONFIRMED}).json()["count"] == 1
