"""Rules that agree everywhere: what the list, the booking service, the feed and the staff see of one booking."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from bookings import rules, selectors, services, tickets
from bookings.models import Booking, BookingStatus, Session
from bookings.services.calendar import booking_ical
from portal.errors import Conflict, NotFound
from portal.notifications.models import Message

from . import builders


def fill(session, make_member, n):
    return [services.booking_create(member=make_member(), session_id=session.pk) for _ in range(n)]


def verdict_for(member, session):
    listed = selectors.session_list(activity_id=session.activity_id, start=timezone.now()).get(pk=session.pk)
    return selectors.session_availability(member=member, sessions=[listed])[session.pk]


# --- Switching the waitlist or the ballot off ----------------------------------------------------------------

def test_switching_the_waitlist_off_closes_the_places_and_tells_the_members(session, make_member, manager_api):
    fill(session, make_member, 3)
    waiting = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    past = builders.session(session.activity, capacity=1, starts_in=timedelta(days=1))
    fill(past, make_member, 1)
    stale = services.booking_create(member=make_member(), session_id=past.pk, waitlist=True)
    Session.objects.filter(pk=past.pk).update(start=timezone.now() - timedelta(hours=2),
                                              end=timezone.now() - timedelta(hours=1))
    response = manager_api.patch(f"/api/v1/staff/activities/{session.activity_id}/", {"waitlist_enabled": False},
                                 format="json")
    assert response.status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CANCELLED
    assert Message.objects.filter(user=waiting.member.user, kind="waitlist_closed").count() == 1
    stale.refresh_from_db()
    assert stale.status == BookingStatus.WAITLISTED  # a session that is over is history, not news
    # The member is not stranded: booking again is judged on the seats, never "already booked".
    with pytest.raises(Conflict) as refused:
        services.booking_create(member=waiting.member, session_id=session.pk, waitlist=True)
    assert refused.value.code == "full"
    assert verdict_for(waiting.member, session).reason == "full"


def test_switching_the_ballot_off_cancels_registrations_and_lets_members_book(facility, make_member, manager):
    activity = builders.activity(facility, title="新年音乐会", kind="event", ballot=True, closes_hours_before=48,
                                 max_seats_per_booking=1)
    session = builders.session(activity, capacity=5, starts_in=timedelta(days=5))
    registered = services.booking_create(member=make_member(), session_id=session.pk)
    assert registered.status == BookingStatus.INTEREST
    assert verdict_for(registered.member, session).reason == "registered"
    services.activity_update(actor=manager, activity=activity, data={"ballot": False})
    registered.refresh_from_db()
    assert registered.status == BookingStatus.CANCELLED
    assert Message.objects.filter(user=registered.member.user, kind="ballot_withdrawn").exists()
    booked = services.booking_create(member=registered.member, session_id=session.pk)
    assert booked.status == BookingStatus.CONFIRMED


# --- The waitlist queue --------------------------------------------------------------------------------------

def test_members_see_their_place_in_the_queue_not_already_booked(session, make_member, member_api, member,
                                                                  manager):
    fill(session, make_member, 3)
    first = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    second = services.booking_create(member=member, session_id=session.pk, waitlist=True)
    assert second.queue_place == 2
    assert [b.queue_place for b in selectors.booking_list(member=member)] == [2]
    verdict = verdict_for(member, session)
    assert (verdict.bookable, verdict.reason, verdict.queue_place) == (False, "on_waitlist", 2)
    assert verdict.message != rules.REASONS["already_booked"] and "2" in verdict.message
    with pytest.raises(Conflict) as again:
        services.booking_create(member=member, session_id=session.pk)
    assert again.value.code == "on_waitlist" and "2" in again.value.detail
    listed = member_api.get("/api/v1/bookings/").json()["results"]
    assert [(b["status"], b["queue_place"]) for b in listed] == [("waitlisted", 2)]
    # Staff number the waitlist by waitlist position only: the first waiter is #1 whatever the roster holds.
    roster = {b.pk: b.queue_place for b in selectors.session_bookings_for_staff(actor=manager, session_id=session.pk)}
    assert roster[first.pk] == 1 and roster[second.pk] == 2
    assert list(roster.values()).count(None) == 3  # the seat holders have no place in a queue
    services.booking_cancel(member=first.member, booking_id=first.pk)
    assert selectors.booking_get(member=member, booking_id=second.pk).queue_place == 1


def test_places_left_follow_the_rule_the_booking_service_applies(facility, make_member):
    activity = builders.activity(facility, closes_hours_before=1)
    session = builders.session(activity, capacity=1, starts_in=timedelta(days=2))
    holder = fill(session, make_member, 1)[0]
    services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    # The seat is free, but it is the waitlist's (the offer task has not run): nobody else can book it.
    services.booking_cancel(member=holder.member, booking_id=holder.pk)
    newcomer = make_member()
    verdict = verdict_for(newcomer, session)
    assert verdict.places == 0 and verdict.mode == "waitlist"
    with pytest.raises(Conflict):
        services.booking_create(member=newcomer, session_id=session.pk)
    # Once booking has closed, a free seat is no offer: no count is shown at all.
    Session.objects.filter(pk=session.pk).update(start=timezone.now() + timedelta(minutes=30),
                                                 end=timezone.now() + timedelta(hours=1))
    assert verdict_for(newcomer, session).places is None
    open_session = builders.session(activity, capacity=4, starts_in=timedelta(days=2))
    assert verdict_for(newcomer, open_session).places == 4


def test_cancel_warning_counts_booked_and_waitlisted_apart(session, make_member, manager):
    fill(session, make_member, 3)
    services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    roster = list(selectors.session_bookings_for_staff(actor=manager, session_id=session.pk))
    assert selectors.session_holder_counts(bookings=roster) == {"booked": 3, "waitlisted": 1, "interest": 0}


# --- Calendar feed ---------------------------------------------------------------------------------------------

def _statuses(body: bytes) -> dict[str, str]:
    return {str(e["uid"]): str(e["status"]) for e in Calendar.from_ical(body).walk("VEVENT")}


def test_held_seats_are_tentative_and_waitlist_places_are_not_in_the_feed(facility, paid_activity, member):
    free = builders.activity(facility, title="免费课")
    confirmed = services.booking_create(member=member, session_id=builders.session(free).pk)
    held = services.booking_create(member=member, session_id=builders.session(paid_activity).pk)
    full = builders.session(free, capacity=0)
    waiting = services.booking_create(member=member, session_id=full.pk, waitlist=True)
    offered_session = builders.session(free, capacity=0)
    offered = services.booking_create(member=member, session_id=offered_session.pk, waitlist=True)
    Session.objects.filter(pk=offered_session.pk).update(capacity=1)
    services.waitlist_offer_next(session_id=offered_session.pk)
    feed = services.calendar_feed_get_or_create(member=member)
    statuses = _statuses(services.calendar_render(token=feed.token))
    assert statuses[f"booking-{confirmed.pk}@union-portal"] == "CONFIRMED"
    assert statuses[f"booking-{held.pk}@union-portal"] == "TENTATIVE"
    assert statuses[f"booking-{offered.pk}@union-portal"] == "TENTATIVE"
    assert f"booking-{waiting.pk}@union-portal" not in statuses
    assert booking_ical(member=member, booking_id=confirmed.pk)
    for not_a_seat in (held, waiting):
        with pytest.raises(NotFound):
            booking_ical(member=member, booking_id=not_a_seat.pk)


# --- Check-in, moves, database refusals ------------------------------------------------------------------------

def test_check_in_takes_only_a_confirmed_ticket(free_activity, member, manager):
    session = builders.session(free_activity, starts_in=timedelta(hours=2))
    booking = services.booking_create(member=member, session_id=session.pk)
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.LATE_CANCELLED)
    with pytest.raises(Conflict) as refused:
        services.checkin(actor=manager, code=booking.ticket_code)
    assert refused.value.code == "not_confirmed"
    assert Booking.objects.get(pk=booking.pk).checked_in_at is None


def test_a_session_that_has_started_or_was_cancelled_is_not_moved(free_activity, member, manager):
    started = builders.session(free_activity, starts_in=timedelta(hours=2))
    Session.objects.filter(pk=started.pk).update(start=timezone.now() - timedelta(minutes=5))
    later = timezone.now() + timedelta(days=3)
    with pytest.raises(Conflict) as refused:
        services.session_move(actor=manager, session_id=started.pk, start=later, end=later + timedelta(hours=1))
    assert refused.value.code == "started"
    cancelled = builders.session(free_activity)
    services.session_cancel(actor=manager, session_id=cancelled.pk, reason="停电")
    with pytest.raises(Conflict):
        services.session_move(actor=manager, session_id=cancelled.pk, start=later, end=later + timedelta(hours=1))
    assert Session.objects.get(pk=cancelled.pk).start != later


def test_a_taken_ticket_code_is_drawn_again_not_reported_as_already_booked(session, make_member, monkeypatch):
    first = services.booking_create(member=make_member(), session_id=session.pk)
    drawn = iter([first.ticket_short, "7KQ4M2XD"])
    monkeypatch.setattr(tickets, "new_short_code", lambda: next(drawn))
    second = services.booking_create(member=make_member(), session_id=session.pk)
    assert second.status == BookingStatus.CONFIRMED and second.ticket_short == "7KQ4M2XD"
    session.refresh_from_db()
    assert session.booked == 2  # the first attempt's seat rolled back with it
