"""Celery tasks (eager here) wire through to the services and are safe to run twice; staff scoping."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from bookings import services, tasks
from bookings.models import Attendance, Booking, BookingStatus, Session
from portal.members.models import Role
from tests import factories

from . import builders


def test_hold_and_offer_tasks_release_and_pass_on(paid_activity, make_member):
    session = builders.session(paid_activity, capacity=1)
    held = services.booking_create(member=make_member(), session_id=session.pk)
    waiting = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    Booking.objects.filter(pk=held.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    assert tasks.holds_expire.delay().get() == 1
    assert tasks.holds_expire.delay().get() == 0
    tasks.offers_expire.delay()  # the sweep offers the released seat even without an on-commit trigger
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.OFFERED
    assert tasks.waitlist_offer.delay(session.pk).get() == []  # nothing left to offer


def test_ballot_no_show_and_reminder_tasks(facility, make_member):
    ballot = builders.activity(facility, ballot=True, closes_hours_before=48)
    session = builders.session(ballot, capacity=1, starts_in=timedelta(days=4))
    services.booking_create(member=make_member(), session_id=session.pk)
    Session.objects.filter(pk=session.pk).update(start=timezone.now() + timedelta(hours=30),
                                                 end=timezone.now() + timedelta(hours=31))
    assert tasks.ballots_draw_due.delay().get() == 1
    assert tasks.ballots_draw_due.delay().get() == 0
    winner = Booking.objects.get(session=session)
    assert winner.status == BookingStatus.CONFIRMED
    assert tasks.reminders_send.delay().get() == 0  # more than 24 hours ahead

    past = builders.session(builders.activity(facility, title="已结束"), starts_in=timedelta(hours=-3))
    Booking.objects.create(session=past, member=winner.member, seats=1, status=BookingStatus.CONFIRMED,
                           ticket_code="past-ticket")
    assert tasks.no_shows_mark_due.delay().get() >= 1
    assert Booking.objects.get(ticket_code="past-ticket").attendance == Attendance.NO_SHOW


def test_county_manager_cannot_manage_the_city_palace(orgs, session):
    county = APIClient()
    factories.sign_in(county, factories.staff(organisation=orgs["county"], role=Role.FACILITY_MANAGER))
    assert county.get(f"/api/v1/staff/sessions/{session.pk}/").status_code == 404
    assert county.post(f"/api/v1/staff/sessions/{session.pk}/cancel/", {"reason": "x"},
                       format="json").status_code == 404
    assert Session.objects.get(pk=session.pk).status == "scheduled"


def test_officer_can_read_bookings_but_not_schedule(orgs, session, member):
    services.booking_create(member=member, session_id=session.pk)
    officer = APIClient()
    factories.sign_in(officer, factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER))
    assert officer.get(f"/api/v1/staff/sessions/{session.pk}/bookings/").json()["count"] == 1
    assert officer.post(f"/api/v1/staff/sessions/{session.pk}/capacity/", {"capacity": 9},
                        format="json").status_code == 404
    assert officer.get("/api/v1/staff/activities/").json()["count"] == 0
