"""Stays through the services: nights taken all or nothing, the price split, the hold, cancellation before
the deadline, expiry, check-in and check-out writing one service record per guest."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import services
from bookings.models import Stay, StayStatus
from facilities.inventory import NightsUnavailable
from facilities.models import RoomNight
from portal.errors import Conflict, NotFound, NotPermitted
from portal.members.models import Dependant, Role
from portal.notifications.models import Message
from portal.payments.models import Payment
from portal.stats.models import ServiceRecord
from tests import factories
from tests.bookings.stay_fixtures import days
from tests.facilities import rooms as build

pytestmark = pytest.mark.django_db


def taken(room, start, end):
    return list(RoomNight.objects.filter(room_type=room, date__gte=start, date__lt=end).order_by("date")
                .values_list("rooms_taken", flat=True))


def book(member, room, start=5, nights=3, rooms=1, dependants=()):
    return services.stay_create(member=member, room_type_id=room.pk, check_in=days(start),
                                check_out=days(start + nights), rooms=rooms, dependant_ids=[d.pk for d in dependants])


def test_a_free_stay_is_confirmed_and_takes_every_night(member, twin):
    stay = book(member, twin)
    assert stay.status == StayStatus.CONFIRMED
    assert (stay.amount_fen, stay.subsidy_fen, stay.member_free_nights) == (60_000, 60_000, 3)
    assert taken(twin, days(4), days(9)) == [0, 1, 1, 1, 0]
    assert not Payment.objects.exists()
    assert Message.objects.filter(user=member.user, kind="stay_confirmed").exists()
    assert [g.name for g in stay.guests.all()] == [member.real_name]


def test_a_stay_with_a_share_is_held_for_payment(member, twin, family):
    spouse, child = family
    stay = book(member, twin, nights=2, rooms=2, dependants=[spouse, child])
    # member 2 nights free (40,000); companions 2 x 2 x 30,000 at cost
    assert (stay.amount_fen, stay.subsidy_fen, stay.member_share_fen) == (160_000, 40_000, 120_000)
    assert stay.status == StayStatus.PENDING_PAYMENT and stay.hold_expires_at > timezone.now()
    payment = Payment.objects.get(stay=stay)
    assert (payment.member_share_fen, payment.subsidy_fen) == (120_000, 40_000)
    assert taken(twin, days(5), days(7)) == [2, 2]
    assert sorted(g.name for g in stay.guests.all()) == sorted([member.real_name, "王芳", "王小明"])


def test_free_nights_run_out_over_the_year(member, twin):
    first = book(member, twin, start=2, nights=5)
    second = book(member, twin, start=10, nights=4)
    assert first.member_free_nights == 5 and second.member_free_nights == 2
    # 2 free nights + 2 at 50 %
    assert second.subsidy_fen == 2 * 20_000 + 2 * 10_000 and second.member_share_fen == 20_000


def test_a_full_night_refuses_the_whole_range(member, twin, orgs):
    others = [factories.member(organisation=orgs["unit"]) for _ in range(3)]
    for other in others:
        book(other, twin, start=6, nights=1)
    with pytest.raises(NightsUnavailable) as refused:
        book(member, twin, start=5, nights=3)
    assert days(6).isoformat() in refused.value.detail
    assert taken(twin, days(5), days(8)) == [0, 3, 0]
    assert not Stay.objects.filter(member=member).exists()


def test_unopened_nights_are_refused(member, twin):
    with pytest.raises(NightsUnavailable) as refused:
        book(member, twin, start=98, nights=4)
    assert refused.value.code == "not_open" and days(100).isoformat() in refused.value.detail


@pytest.mark.parametrize("change,field", [
    (dict(start=5, nights=0), "check_out"),
    (dict(start=5, nights=-2), "check_out"),
    (dict(start=5, nights=15), "check_out"),
    (dict(start=-1, nights=2), "check_in"),
    (dict(start=121, nights=2), "check_in"),
    (dict(rooms=0), "rooms"),
    (dict(rooms=11), "rooms"),
    (dict(rooms=2), "rooms"),  # one guest cannot take two rooms
])
def test_bad_requests_are_field_errors_and_change_nothing(member, twin, change, field):
    with pytest.raises(ValidationError) as bad:
        book(member, twin, **change)
    assert field in bad.value.message_dict
    assert not Stay.objects.exists() and not RoomNight.objects.filter(rooms_taken__gt=0).exists()


def test_guests_are_the_member_and_their_own_dependants(member, twin, family, orgs):
    stranger = factories.member(organisation=orgs["unit"])
    theirs = Dependant.objects.create(member=stranger, name="李四", relation="child", birth_date=timezone.localdate())
    with pytest.raises(ValidationError) as bad:
        book(member, twin, dependants=[theirs])
    assert "guests" in bad.value.message_dict
    with pytest.raises(ValidationError) as twice:
        book(member, twin, dependants=[family[0], family[0]])
    assert "guests" in twice.value.message_dict
    with pytest.raises(ValidationError) as alone:
        services.stay_create(member=member, room_type_id=twin.pk, check_in=days(5), check_out=days(6), rooms=1,
                             dependant_ids=[family[0].pk], include_member=False)
    assert "guests" in alone.value.message_dict
    with pytest.raises(ValidationError) as crowded:  # 3 guests, 1 twin room
        book(member, twin, dependants=family)
    assert "guests" in crowded.value.message_dict
    assert not Stay.objects.exists()


def test_unverified_members_and_inactive_room_types_are_refused(orgs, twin):
    unverified = factories.member(organisation=orgs["unit"], verified=False)
    with pytest.raises(NotPermitted):
        book(unverified, twin)
    twin.active = False
    twin.save()
    with pytest.raises(ValidationError) as bad:
        book(factories.member(organisation=orgs["unit"]), twin)
    assert "room_type" in bad.value.message_dict


def test_overlapping_stays_of_one_member_are_refused(member, twin, sanatorium):
    book(member, twin, start=5, nights=3)
    other = build.room_type(sanatorium, name="单人间", kind="single", rooms=2, beds=1)
    build.open_nights(other, days=30)
    with pytest.raises(Conflict) as refused:
        book(member, other, start=7, nights=2)
    assert refused.value.code == "overlap"
    book(member, other, start=8, nights=2)  # check-out day is free again


def test_cancel_before_the_deadline_frees_the_nights(member, twin):
    stay = book(member, twin)
    cancelled = services.stay_cancel(member=member, stay_id=stay.pk)
    assert cancelled.status == StayStatus.CANCELLED and cancelled.cancelled_at
    assert taken(twin, days(5), days(8)) == [0, 0, 0]
    with pytest.raises(Conflict):
        services.stay_cancel(member=member, stay_id=stay.pk)


def test_cancel_after_the_deadline_is_refused(member, twin):
    stay = book(member, twin, start=1, nights=2)  # check-in tomorrow 14:00: deadline 48 h before has passed
    with pytest.raises(Conflict) as refused:
        services.stay_cancel(member=member, stay_id=stay.pk)
    assert refused.value.code == "deadline"
    assert taken(twin, days(1), days(3)) == [1, 1]


def test_someone_elses_stay_is_not_found(member, twin, orgs):
    stay = book(member, twin)
    with pytest.raises(NotFound):
        services.stay_cancel(member=factories.member(organisation=orgs["unit"]), stay_id=stay.pk)


def test_an_unpaid_hold_expires_and_frees_the_nights(member, twin, family, time_machine):
    stay = book(member, twin, nights=2, rooms=2, dependants=family)
    nights = (stay.check_in, stay.check_out)  # fixed now: 16 minutes later may be tomorrow in Shanghai
    assert services.stay_holds_expire_due() == 0
    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    assert services.stay_holds_expire_due() == 1
    stay.refresh_from_db()
    assert stay.status == StayStatus.EXPIRED
    assert taken(twin, *nights) == [0, 0]
    assert services.stay_holds_expire_due() == 0  # retry-safe
    with pytest.raises(Conflict):
        services.stay_mark_paid(stay_id=stay.pk)
    assert services.stay_paid_late(stay_id=stay.pk)  # still free: taken again, confirmed
    stay.refresh_from_db()
    assert stay.status == StayStatus.CONFIRMED and taken(twin, *nights) == [2, 2]


def test_paying_confirms_the_held_stay(member, twin, family):
    stay = book(member, twin, nights=2, rooms=2, dependants=family)
    paid = services.stay_mark_paid(stay_id=stay.pk)
    assert paid.status == StayStatus.CONFIRMED and paid.paid_at and paid.hold_expires_at is None
    assert services.stay_mark_paid(stay_id=stay.pk).status == StayStatus.CONFIRMED  # retry-safe


def test_check_in_and_out_write_one_record_per_guest(member, twin, family, desk, time_machine):
    stay = services.stay_create(member=member, room_type_id=twin.pk, check_in=days(3), check_out=days(5), rooms=1,
                                dependant_ids=[family[1].pk])
    services.stay_mark_paid(stay_id=stay.pk)
    with pytest.raises(Conflict) as early:
        services.stay_check_in(actor=desk, stay_id=stay.pk)
    assert early.value.code == "not_today"
    with pytest.raises(Conflict):
        services.stay_check_out(actor=desk, stay_id=stay.pk)
    time_machine.move_to(timezone.now() + timedelta(days=3))
    assert services.stay_check_in(actor=desk, stay_id=stay.pk).status == StayStatus.CHECKED_IN
    time_machine.move_to(timezone.now() + timedelta(days=2))
    assert services.stay_check_out(actor=desk, stay_id=stay.pk).status == StayStatus.CHECKED_OUT
    records = ServiceRecord.objects.filter(kind="stay").order_by("pk")
    assert [(r.persons, r.nights, r.organisation_id, r.facility_id) for r in records] == [
        (1, 2, member.organisation_id, twin.facility_id)] * 2
    with pytest.raises(Conflict):
        services.stay_check_out(actor=desk, stay_id=stay.pk)
    assert ServiceRecord.objects.filter(kind="stay").count() == 2


def test_staff_of_another_subtree_cannot_check_in(member, twin, orgs):
    stay = book(member, twin)
    stranger = factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER)
    with pytest.raises(NotFound):
        services.stay_check_in(actor=stranger, stay_id=stay.pk)


def test_a_late_payment_never_gives_free_nights_twice(member, twin, family, time_machine):
    held = book(member, twin, start=5, nights=7, dependants=family[:1])  # all 7 free nights, the spouse pays
    nights = (held.check_in, held.check_out)  # fixed now: 16 minutes later may be tomorrow in Shanghai
    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    services.stay_holds_expire_due()
    again = book(member, twin, start=20, nights=3)  # the free nights went to this stay meanwhile
    assert again.member_free_nights == 3
    assert not services.stay_paid_late(stay_id=held.pk)  # the payments service refunds
    held.refresh_from_db()
    assert held.status == StayStatus.EXPIRED and taken(twin, *nights) == [0] * 7
