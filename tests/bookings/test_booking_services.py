"""Booking, cancelling, holds and eligibility through the services, against the real database."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import services
from bookings.models import Booking, BookingStatus, MemberCategory, Session, SessionStatus
from portal.errors import Conflict, NotPermitted

from . import builders


def seats_held(session) -> int:
    session.refresh_from_db()
    return session.booked


def test_free_booking_is_confirmed_with_a_ticket(session, member):
    booking = services.booking_create(member=member, session_id=session.pk, seats=2)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.ticket_code and len(booking.ticket_code) >= 16
    assert seats_held(session) == 2


def test_paid_booking_is_held_for_payment(paid_activity, member, settings):
    session = builders.session(paid_activity, capacity=5)
    booking = services.booking_create(member=member, session_id=session.pk, seats=2)
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert booking.amount_fen == 6000
    assert booking.ticket_code is None
    held_for = booking.hold_expires_at - timezone.now()
    assert timedelta(minutes=settings.BOOKING_HOLD_MINUTES - 1) < held_for <= timedelta(
        minutes=settings.BOOKING_HOLD_MINUTES)
    assert seats_held(session) == 2
    paid = services.booking_mark_paid(booking_id=booking.pk)
    assert paid.status == BookingStatus.CONFIRMED and paid.ticket_code and paid.paid_at


def test_expired_hold_releases_the_seat_once(paid_activity, member):
    session = builders.session(paid_activity, capacity=1)
    booking = services.booking_create(member=member, session_id=session.pk)
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    assert services.holds_expire_due() == 1
    assert services.hold_expire(booking_id=booking.pk) is False  # a retried task changes nothing
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert seats_held(session) == 0
    with pytest.raises(Conflict):
        services.booking_mark_paid(booking_id=booking.pk)


def test_full_session_is_409_and_changes_nothing(session, make_member):
    for _ in range(3):
        services.booking_create(member=make_member(), session_id=session.pk)
    late = make_member()
    with pytest.raises(Conflict) as exc:
        services.booking_create(member=late, session_id=session.pk)
    assert exc.value.code == "full"
    assert seats_held(session) == 3
    assert not Booking.objects.filter(member=late).exists()


def test_full_session_with_waitlist_asked_queues_the_member(session, make_member):
    for _ in range(3):
        services.booking_create(member=make_member(), session_id=session.pk)
    booking = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    assert booking.status == BookingStatus.WAITLISTED
    assert booking.queue_position == booking.pk
    assert seats_held(session) == 3


def test_one_active_booking_per_member_and_session(session, member):
    services.booking_create(member=member, session_id=session.pk)
    with pytest.raises(Conflict) as exc:
        services.booking_create(member=member, session_id=session.pk)
    assert exc.value.code == "already_booked"
    assert seats_held(session) == 1


@pytest.mark.parametrize("seats", [0, -1, 3])
def test_bad_seat_counts_are_field_errors(session, member, seats):
    with pytest.raises(ValidationError) as exc:
        services.booking_create(member=member, session_id=session.pk, seats=seats)
    assert "seats" in exc.value.message_dict
    assert seats_held(session) == 0


def test_unknown_session_is_a_field_error(member):
    with pytest.raises(ValidationError) as exc:
        services.booking_create(member=member, session_id=999999)
    assert "session" in exc.value.message_dict


def test_unverified_member_cannot_book(session, make_member):
    with pytest.raises(NotPermitted) as exc:
        services.booking_create(member=make_member(verified=False), session_id=session.pk)
    assert exc.value.code == "not_verified"


@pytest.mark.parametrize("starts_in, code", [
    (timedelta(days=30), "not_open"), (timedelta(minutes=30), "closed"), (timedelta(hours=-1), "past")])
def test_booking_window(free_activity, member, starts_in, code):
    session = builders.session(free_activity, starts_in=starts_in)
    with pytest.raises(Conflict) as exc:
        services.booking_create(member=member, session_id=session.pk)
    assert exc.value.code == code


def test_cancelled_session_cannot_be_booked(free_activity, member):
    session = builders.session(free_activity, status=SessionStatus.CANCELLED)
    with pytest.raises(Conflict) as exc:
        services.booking_create(member=member, session_id=session.pk)
    assert exc.value.code == "cancelled"


def test_audience_rules(facility, make_member, orgs):
    models_only = builders.activity(facility, member_categories=[MemberCategory.MODEL_WORKER])
    session = builders.session(models_only)
    with pytest.raises(NotPermitted) as exc:
        services.booking_create(member=make_member(), session_id=session.pk)
    assert exc.value.code == "not_eligible"
    assert services.booking_create(member=make_member(model_worker_level="city"), session_id=session.pk)

    seniors = builders.session(builders.activity(facility, min_age=50))
    young = make_member()
    young.birth_date = date(1995, 1, 1)
    young.save()
    with pytest.raises(NotPermitted):
        services.booking_create(member=young, session_id=seniors.pk)

    own_union = builders.session(builders.activity(facility, members_only=True))
    with pytest.raises(NotPermitted):
        services.booking_create(member=make_member(organisation=orgs["sibling_unit"]), session_id=own_union.pk)
    assert services.booking_create(member=make_member(organisation=orgs["unit2"]), session_id=own_union.pk)


def test_weekly_limit(facility, member):
    act = builders.activity(facility, max_active_per_week=1)
    first = builders.session(act, starts_in=timedelta(days=3))
    second = builders.session(act, starts_in=timedelta(days=3, hours=2))
    services.booking_create(member=member, session_id=first.pk)
    with pytest.raises(Conflict) as exc:
        services.booking_create(member=member, session_id=second.pk)
    assert exc.value.code == "limit_reached"


def test_cancel_before_deadline_frees_seats(session, member, django_capture_on_commit_callbacks):
    booking = services.booking_create(member=member, session_id=session.pk, seats=2)
    cancelled = services.booking_cancel(member=member, booking_id=booking.pk)
    assert cancelled.status == BookingStatus.CANCELLED
    assert seats_held(session) == 0
    # cancelled bookings no longer block a new one
    assert services.booking_create(member=member, session_id=session.pk).status == BookingStatus.CONFIRMED


def test_cancel_after_deadline_is_late_and_keeps_the_seat(free_activity, member):
    session = builders.session(free_activity, starts_in=timedelta(hours=5))
    booking = services.booking_create(member=member, session_id=session.pk)
    late = services.booking_cancel(member=member, booking_id=booking.pk)
    assert late.status == BookingStatus.LATE_CANCELLED
    assert seats_held(session) == 1
    with pytest.raises(Conflict):
        services.booking_cancel(member=member, booking_id=booking.pk)


def test_cancelling_a_paid_booking_marks_it_for_refund(paid_activity, member):
    session = builders.session(paid_activity)
    booking = services.booking_create(member=member, session_id=session.pk)
    services.booking_mark_paid(booking_id=booking.pk)
    assert services.booking_cancel(member=member, booking_id=booking.pk).refund_status == "pending"


def test_cancelling_someone_elses_booking_is_not_found(session, member, make_member):
    booking = services.booking_create(member=member, session_id=session.pk)
    from portal.errors import NotFound

    with pytest.raises(NotFound):
        services.booking_cancel(member=make_member(), booking_id=booking.pk)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_counter_never_leaves_its_bounds_even_if_code_tried(session):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(booked=session.capacity + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(booked=-1)
