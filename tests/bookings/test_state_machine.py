"""A Hypothesis state machine drives the booking services and checks the invariants after every step:
the counter equals the seats of seat-holding bookings, never leaves [0, capacity], nobody holds two active
bookings, confirmed bookings have tickets and held ones an expiry."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from bookings import services
from bookings.models import ACTIVE_STATUSES, SEAT_STATUSES, Activity, Booking, BookingStatus
from portal.errors import DomainError
from portal.members.models import Role
from tests import factories

from . import builders

EXPECTED = (DomainError, ValidationError)


class BookingMachine(RuleBasedStateMachine):
    orgs = None

    def __init__(self):
        super().__init__()
        orgs = type(self).orgs
        facility = builders.palace(orgs["city"])
        self.activity = builders.activity(facility, max_seats_per_booking=3, waitlist_enabled=True)
        self.session = builders.session(self.activity, capacity=4)
        self.members = [factories.member(organisation=orgs["unit"]) for _ in range(5)]
        self.manager = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)

    def _bookings(self, status=None):
        qs = Booking.objects.filter(session=self.session)
        return list(qs.filter(status=status) if status else qs)

    @rule(who=st.integers(0, 4), seats=st.integers(-1, 4), waitlist=st.booleans())
    def book(self, who, seats, waitlist):
        try:
            services.booking_create(member=self.members[who], session_id=self.session.pk, seats=seats,
                                    waitlist=waitlist)
        except EXPECTED:
            pass

    @rule(pick=st.integers(0, 50), late=st.booleans())
    def cancel(self, pick, late):
        # 1000 hours before a session three days away: the free cancellation deadline has passed
        Activity.objects.filter(pk=self.activity.pk).update(cancel_hours_before=1000 if late else 24)
        bookings = self._bookings()
        if bookings:
            booking = bookings[pick % len(bookings)]
            try:
                services.booking_cancel(member=booking.member, booking_id=booking.pk)
            except EXPECTED:
                pass

    @rule(capacity=st.integers(0, 8))
    def change_capacity(self, capacity):
        try:
            services.session_change_capacity(actor=self.manager, session_id=self.session.pk, capacity=capacity)
        except EXPECTED:
            pass

    @rule()
    def promote(self):
        services.waitlist_offer_next(session_id=self.session.pk)

    @rule(pick=st.integers(0, 50), accept=st.booleans())
    def answer_offer(self, pick, accept):
        offers = self._bookings(BookingStatus.OFFERED)
        if offers:
            booking = offers[pick % len(offers)]
            action = services.offer_accept if accept else services.offer_decline
            try:
                action(member=booking.member, booking_id=booking.pk)
            except EXPECTED:
                pass

    @rule()
    def offers_lapse(self):
        offers = self._bookings(BookingStatus.OFFERED)
        Booking.objects.filter(pk__in=[b.pk for b in offers]).update(offer_expires_at=timezone.now()
                                                                     - timedelta(seconds=1))
        for booking in offers:
            services.offer_expire(booking_id=booking.pk)

    @rule(paid=st.booleans())
    def set_price(self, paid):
        Activity.objects.filter(pk=self.activity.pk).update(price_fen=2500 if paid else 0)

    @rule()
    def holds_lapse(self):
        held = self._bookings(BookingStatus.PENDING_PAYMENT)
        Booking.objects.filter(pk__in=[b.pk for b in held]).update(hold_expires_at=timezone.now()
                                                                   - timedelta(seconds=1))
        for booking in held:
            services.hold_expire(booking_id=booking.pk)

    @rule(pick=st.integers(0, 50))
    def pay(self, pick):
        held = self._bookings(BookingStatus.PENDING_PAYMENT)
        if held:
            try:
                services.booking_mark_paid(booking_id=held[pick % len(held)].pk)
            except EXPECTED:
                pass

    @invariant()
    def counter_matches_bookings(self):
        self.session.refresh_from_db()
        seats = (Booking.objects.filter(session=self.session, status__in=SEAT_STATUSES)
                 .aggregate(n=Sum("seats"))["n"] or 0)
        assert self.session.booked == seats
        assert 0 <= self.session.booked <= self.session.capacity

    @invariant()
    def one_active_booking_per_member(self):
        assert not (Booking.objects.filter(session=self.session, status__in=ACTIVE_STATUSES)
                    .values("member_id").annotate(n=Count("id")).filter(n__gt=1).exists())

    @invariant()
    def statuses_carry_their_fields(self):
        for booking in self._bookings():
            if booking.status == BookingStatus.CONFIRMED:
                assert booking.ticket_code
            if booking.status == BookingStatus.PENDING_PAYMENT:
                assert booking.hold_expires_at and not booking.ticket_code
            if booking.status == BookingStatus.OFFERED:
                assert booking.offer_expires_at


@pytest.mark.django_db
def test_booking_state_machine(orgs):
    BookingMachine.orgs = orgs
    run_state_machine_as_test(BookingMachine, settings=settings(
        max_examples=60, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
