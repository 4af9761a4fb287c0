"""Waitlist offers, staff scheduling (RRULE, capacity, move, cancel) through the services."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import selectors, services
from bookings.models import Booking, BookingStatus, Session, SessionStatus
from bookings.rules import LOCAL_TZ
from portal.errors import Conflict, NotFound
from portal.notifications.models import Message

from . import builders


def fill(session, make_member, n):
    return [services.booking_create(member=make_member(), session_id=session.pk) for _ in range(n)]


def test_freed_seat_is_offered_to_the_first_in_line(session, make_member, django_capture_on_commit_callbacks):
    holders = fill(session, make_member, 3)
    first = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    second = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(member=holders[0].member, booking_id=holders[0].pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == BookingStatus.OFFERED and first.offer_expires_at
    assert second.status == BookingStatus.WAITLISTED
    session.refresh_from_db()
    assert session.booked == 3  # the offer holds the freed seat
    assert Message.objects.filter(user=first.member.user, kind="waitlist_offer").exists()

    accepted = services.offer_accept(member=first.member, booking_id=first.pk)
    assert accepted.status == BookingStatus.CONFIRMED and accepted.ticket_code


def test_a_newcomer_cannot_jump_the_waitlist_for_a_freed_seat(session, make_member):
    holders = fill(session, make_member, 3)
    waiting = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    # The seat is free but the offer task has not run yet (on_commit callbacks are not executed here).
    services.booking_cancel(member=holders[0].member, booking_id=holders[0].pk)
    session.refresh_from_db()
    assert session.booked == 2
    with pytest.raises(Conflict) as refused:
        services.booking_create(member=make_member(), session_id=session.pk)
    assert refused.value.code == "full"
    listed = selectors.session_list(activity_id=session.activity_id).get(pk=session.pk)
    verdict = selectors.session_availability(member=make_member(), sessions=[listed])[session.pk]
    assert verdict.mode == "waitlist"  # the list tells the same story as the booking service
    behind = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    assert behind.status == BookingStatus.WAITLISTED and behind.queue_position > waiting.queue_position
    session.refresh_from_db()
    assert session.booked == 2  # the freed seat is still waiting for the first in line
    assert services.waitlist_offer_next(session_id=session.pk) == [waiting.pk]


def test_freed_seats_are_bookable_when_too_late_to_offer(facility, make_member):
    open_late = builders.activity(facility, title="羽毛球场地", closes_hours_before=0)
    near = builders.session(open_late, capacity=1, starts_in=timedelta(minutes=15))
    holder = services.booking_create(member=make_member(), session_id=near.pk)
    services.booking_create(member=make_member(), session_id=near.pk, waitlist=True)
    Booking.objects.filter(pk=holder.pk).update(status=BookingStatus.CANCELLED)
    Session.objects.filter(pk=near.pk).update(booked=0)
    walk_up = services.booking_create(member=make_member(), session_id=near.pk)
    assert walk_up.status == BookingStatus.CONFIRMED


def test_offer_window_is_two_hours_shorter_when_near(free_activity, make_member):
    far = builders.session(free_activity, capacity=1, starts_in=timedelta(days=3))
    near = builders.session(free_activity, capacity=1, starts_in=timedelta(hours=2))
    for s in (far, near):
        s.capacity = 0
        Session.objects.filter(pk=s.pk).update(capacity=0)
    waiting_far = services.booking_create(member=make_member(), session_id=far.pk, waitlist=True)
    waiting_near = services.booking_create(member=make_member(), session_id=near.pk, waitlist=True)
    Session.objects.filter(pk__in=[far.pk, near.pk]).update(capacity=1)
    services.waitlist_offer_next(session_id=far.pk)
    services.waitlist_offer_next(session_id=near.pk)
    waiting_far.refresh_from_db()
    waiting_near.refresh_from_db()
    now = timezone.now()
    assert timedelta(minutes=119) < waiting_far.offer_expires_at - now <= timedelta(hours=2)
    assert waiting_near.offer_expires_at - now <= timedelta(hours=1)


def test_declined_and_expired_offers_pass_on(session, make_member, django_capture_on_commit_callbacks):
    holders = fill(session, make_member, 3)
    a = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    b = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    c = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(member=holders[0].member, booking_id=holders[0].pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.offer_decline(member=a.member, booking_id=a.pk).status == BookingStatus.DECLINED
    b.refresh_from_db()
    assert b.status == BookingStatus.OFFERED
    Booking.objects.filter(pk=b.pk).update(offer_expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Conflict):
        services.offer_accept(member=b.member, booking_id=b.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.offers_expire_due() == 1
    assert services.offer_expire(booking_id=b.pk) is False  # retry-safe
    b.refresh_from_db()
    c.refresh_from_db()
    assert b.status == BookingStatus.EXPIRED and c.status == BookingStatus.OFFERED
    session.refresh_from_db()
    assert session.booked == 3
    assert services.waitlist_offer_next(session_id=session.pk) == []  # running the task twice offers nothing more


def test_generate_weekly_sessions_with_holidays(free_activity, manager):
    first = datetime(2031, 3, 4, 19, 0, tzinfo=LOCAL_TZ)  # a Tuesday evening
    sessions = services.sessions_generate(
        actor=manager, activity=free_activity, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=12", first_start=first,
        duration_minutes=90, capacity=20, exdates=[date(2031, 4, 1)])
    assert len(sessions) == 11
    local_starts = [s.start.astimezone(LOCAL_TZ) for s in sessions]
    assert all(s.hour == 19 and s.weekday() == 1 for s in local_starts)
    assert date(2031, 4, 1) not in {s.date() for s in local_starts}
    assert all(s.end - s.start == timedelta(minutes=90) for s in sessions)


def test_rules_that_would_create_over_500_sessions_are_refused(free_activity, manager):
    first = timezone.now() + timedelta(days=1)
    for rule in ("FREQ=DAILY", "FREQ=DAILY;COUNT=501", "RRULE:FREQ=HOURLY;UNTIL=20400101T000000"):
        with pytest.raises(ValidationError) as exc:
            services.sessions_generate(actor=manager, activity=free_activity, rrule=rule, first_start=first,
                                       duration_minutes=60, capacity=10)
        assert "rrule" in exc.value.message_dict
    assert not Session.objects.exists()


def test_invalid_rule_and_outsider_are_refused(free_activity, manager, other_manager):
    first = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.sessions_generate(actor=manager, activity=free_activity, rrule="FREQ=SOMETIMES", first_start=first,
                                   duration_minutes=60, capacity=10)
    assert "rrule" in exc.value.message_dict
    with pytest.raises(NotFound):
        services.sessions_generate(actor=other_manager, activity=free_activity, rrule="FREQ=DAILY;COUNT=2",
                                   first_start=first, duration_minutes=60, capacity=10)
    assert not Session.objects.exists()


def test_capacity_cannot_go_below_booked(session, make_member, manager, django_capture_on_commit_callbacks):
    fill(session, make_member, 2)
    with pytest.raises(ValidationError) as exc:
        services.session_change_capacity(actor=manager, session_id=session.pk, capacity=1)
    assert "capacity" in exc.value.message_dict
    session.refresh_from_db()
    assert session.capacity == 3
    services.booking_create(member=make_member(), session_id=session.pk)
    waiting = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.session_change_capacity(actor=manager, session_id=session.pk, capacity=4).capacity == 4
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.OFFERED


def test_move_notifies_bookers(session, member, manager):
    services.booking_create(member=member, session_id=session.pk)
    start = session.start + timedelta(days=1)
    moved = services.session_move(actor=manager, session_id=session.pk, start=start, end=start + timedelta(hours=1))
    assert moved.start == start
    assert Message.objects.filter(user=member.user, kind="session_moved").exists()


def test_cancel_session_cancels_every_booking(paid_activity, make_member, manager):
    session = builders.session(paid_activity, capacity=2)
    paid = services.booking_create(member=make_member(), session_id=session.pk)
    services.booking_mark_paid(booking_id=paid.pk)
    held = services.booking_create(member=make_member(), session_id=session.pk)
    waiting = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    services.session_cancel(actor=manager, session_id=session.pk, reason="场馆检修")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and session.booked == 0
    statuses = dict(Booking.objects.filter(session=session).values_list("pk", "status"))
    assert set(statuses.values()) == {BookingStatus.CANCELLED}
    assert Booking.objects.get(pk=paid.pk).refund_status == "pending"
    assert Booking.objects.get(pk=held.pk).refund_status == ""
    for b in (paid, held, waiting):
        assert Message.objects.filter(user=b.member.user, kind="session_cancelled").exists()
    with pytest.raises(Conflict):
        services.session_cancel(actor=manager, session_id=session.pk, reason="again")
