"""A Hypothesis state machine drives the stay services and the staff night operations, checking after every
step: each night's counter equals the rooms of the stays holding it and never leaves [0, rooms_open], no
member holds two overlapping stays, held stays have an expiry and confirmed ones none, and every stay's
money splits into share + subsidy."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from bookings import services
from bookings.models import NIGHT_HOLDING_STATUSES, YEAR_COUNTING_STATUSES, Stay, StayStatus
from facilities import inventory
from facilities.models import RoomNight
from portal.errors import DomainError
from portal.members.models import Dependant, Role
from tests import factories
from tests.facilities import rooms as build

EXPECTED = (DomainError, ValidationError)
DAYS = 12


class StayMachine(RuleBasedStateMachine):
    orgs = None

    def __init__(self):
        super().__init__()
        orgs = type(self).orgs
        sanatorium = build.sanatorium(orgs["city"], free_member_nights_per_year=3, cancel_deadline_hours=0)
        self.room = build.room_type(sanatorium, rooms=3, beds=2)
        self.today = timezone.localdate()
        build.open_nights(self.room, days=DAYS, rooms=2)
        self.members = [factories.member(organisation=orgs["unit"]) for _ in range(4)]
        self.dependants = [Dependant.objects.create(member=m, name="王小明", relation="child",
                                                    birth_date=self.today - timedelta(days=3000))
                           for m in self.members]
        self.manager = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)

    def _stays(self, *statuses):
        qs = Stay.objects.filter(room_type=self.room)
        return list(qs.filter(status__in=statuses) if statuses else qs)

    @rule(who=st.integers(0, 3), start=st.integers(-1, DAYS + 1), nights=st.integers(-1, 5), rooms=st.integers(0, 3),
          companion=st.booleans())
    def book(self, who, start, nights, rooms, companion):
        member = self.members[who]
        try:
            services.stay_create(member=member, room_type_id=self.room.pk,
                                 check_in=self.today + timedelta(days=start),
                                 check_out=self.today + timedelta(days=start + nights), rooms=rooms,
                                 dependant_ids=[self.dependants[who].pk] if companion else [])
        except EXPECTED:
            pass

    @rule(pick=st.integers(0, 50))
    def cancel(self, pick):
        stays = self._stays()
        if stays:
            stay = stays[pick % len(stays)]
            try:
                services.stay_cancel(member=stay.member, stay_id=stay.pk)
            except EXPECTED:
                pass

    @rule(pick=st.integers(0, 50))
    def pay(self, pick):
        held = self._stays(StayStatus.PENDING_PAYMENT)
        if held:
            try:
                services.stay_mark_paid(stay_id=held[pick % len(held)].pk)
            except EXPECTED:
                pass

    @rule()
    def holds_lapse(self):
        held = self._stays(StayStatus.PENDING_PAYMENT)
        Stay.objects.filter(pk__in=[s.pk for s in held]).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
        services.stay_holds_expire_due()

    @rule(pick=st.integers(0, 50))
    def late_payment(self, pick):
        expired = self._stays(StayStatus.EXPIRED)
        if expired:
            services.stay_paid_late(stay_id=expired[pick % len(expired)].pk)

    @rule(op=st.sampled_from(["open", "close", "resize"]), start=st.integers(0, DAYS), length=st.integers(-1, 6),
          rooms=st.integers(-1, 4))
    def staff_changes_nights(self, op, start, length, rooms):
        span = dict(actor=self.manager, room_type=self.room, start=self.today + timedelta(days=start),
                    end=self.today + timedelta(days=start + length))
        try:
            if op == "close":
                inventory.room_nights_close(**span)
            else:
                getattr(inventory, f"room_nights_{op}")(**span, rooms=rooms)
        except EXPECTED:
            pass

    @invariant()
    def counters_match_stays(self):
        holding = self._stays(*NIGHT_HOLDING_STATUSES)
        for night in RoomNight.objects.filter(room_type=self.room):
            assert 0 <= night.rooms_taken <= night.rooms_open
            assert night.rooms_taken == sum(s.rooms for s in holding if s.check_in <= night.date < s.check_out)
        opened = set(RoomNight.objects.filter(room_type=self.room).values_list("date", flat=True))
        for stay in holding:  # every night of a holding stay exists
            assert all(stay.check_in + timedelta(days=i) in opened for i in range(stay.nights))

    @invariant()
    def no_overlapping_stays_per_member(self):
        holding = sorted(self._stays(*NIGHT_HOLDING_STATUSES), key=lambda s: (s.member_id, s.check_in))
        for a, b in zip(holding, holding[1:]):
            assert a.member_id != b.member_id or a.check_out <= b.check_in

    @invariant()
    def free_nights_never_exceed_the_yearly_allowance(self):
        used: dict[tuple[int, int], int] = {}
        for stay in self._stays(*YEAR_COUNTING_STATUSES):
            key = (stay.member_id, stay.check_in.year)
            used[key] = used.get(key, 0) + stay.member_free_nights
        assert all(n <= 3 for n in used.values())

    @invariant()
    def statuses_carry_their_fields(self):
        for stay in self._stays():
            assert 0 <= stay.subsidy_fen <= stay.amount_fen
            if stay.status == StayStatus.PENDING_PAYMENT:
                assert stay.hold_expires_at and stay.member_share_fen > 0
            if stay.status == StayStatus.CONFIRMED:
                assert stay.hold_expires_at is None
                assert stay.member_share_fen == 0 or stay.paid_at


@pytest.mark.django_db
def test_stay_state_machine(orgs):
    StayMachine.orgs = orgs
    run_state_machine_as_test(StayMachine, settings=settings(
        max_examples=40, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
