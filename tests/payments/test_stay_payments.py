"""A sanatorium stay's member share is paid through the same payments module, against localstripe: the
payment carries the union's subsidy, paying confirms the held stay, an ended hold cancels the intent and
frees the nights, and cancelling a paid stay before the deadline refunds it in full."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import RefundStatus, Stay, StayStatus
from facilities.models import RoomNight
from portal.errors import Conflict
from portal.members.models import Dependant
from portal.payments import gateway, services
from portal.payments.models import Payment, PaymentStatus
from tests.facilities import rooms as build

from .test_checkout import VISA

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_stay(orgs, member):
    sanatorium = build.sanatorium(orgs["city"], free_member_nights_per_year=1, member_subsidy_percent=50)
    room = build.room_type(sanatorium, rooms=2, member_price_fen=20_000, companion_price_fen=30_000)
    build.open_nights(room, days=30)
    child = Dependant.objects.create(member=member, name="王小明", relation="child", birth_date=timezone.localdate()
                                     - timedelta(days=3000))
    check_in = timezone.localdate() + timedelta(days=10)
    stay = booking_services.stay_create(member=member, room_type_id=room.pk, check_in=check_in,
                                        check_out=check_in + timedelta(days=2), rooms=1, dependant_ids=[child.pk])
    return stay, Payment.objects.get(stay=stay)


def pay(stay, payment):
    return services.payment_confirm_test_card(member=stay.member, payment_id=payment.pk, card_number=VISA,
                                              exp_month=12, exp_year=2030, cvc="123")


def taken(stay):
    return list(RoomNight.objects.filter(room_type=stay.room_type, date__gte=stay.check_in,
                                         date__lt=stay.check_out).values_list("rooms_taken", flat=True))


def test_the_payment_carries_the_share_and_the_subsidy(held_stay):
    stay, payment = held_stay
    # member: 1 free night + 1 at 50 % = 30,000 subsidy of 40,000; the child: 2 x 30,000 at cost
    assert (payment.amount_fen, payment.subsidy_fen, payment.member_share_fen) == (100_000, 30_000, 70_000)
    assert services.payment_create_for_stay(stay=stay) == payment


def test_paying_confirms_the_stay(localstripe, held_stay, member_api):
    stay, payment = held_stay
    pay(stay, payment)
    assert services.payment_reconcile(payment_id=payment.pk) == "succeeded"
    stay.refresh_from_db()
    payment.refresh_from_db()
    assert stay.status == StayStatus.CONFIRMED and stay.paid_at and payment.status == PaymentStatus.SUCCEEDED
    body = member_api.get(f"/api/v1/stays/{stay.pk}/").json()
    assert body["payment"]["status"] == "succeeded" and body["payment"]["subsidy_fen"] == 30_000
    listed = member_api.get(f"/api/v1/payments/{payment.pk}/").json()
    assert listed["payable"]["kind"] == "stay" and "疗休养院" in listed["payable"]["title"]


def test_an_ended_hold_cancels_the_intent_and_frees_the_nights(localstripe, held_stay):
    stay, payment = held_stay
    services.payment_intent_ensure(payment_id=payment.pk)
    Stay.objects.filter(pk=stay.pk).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    assert services.holds_expire_due() == 1
    stay.refresh_from_db()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED and stay.status == StayStatus.EXPIRED
    assert taken(stay) == [0, 0]
    assert gateway.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status == "canceled"
    with pytest.raises(Conflict):
        pay(stay, payment)


def test_cancelling_a_paid_stay_refunds_it_in_full(localstripe, held_stay):
    stay, payment = held_stay
    pay(stay, payment)
    services.payment_reconcile(payment_id=payment.pk)
    stay = booking_services.stay_cancel(member=stay.member, stay_id=stay.pk)
    assert stay.refund_status == RefundStatus.PENDING and taken(stay) == [0, 0]
    assert services.refunds_due() == 1
    payment.refresh_from_db()
    stay.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_fen == 70_000
    assert stay.refund_status == RefundStatus.REFUNDED
    assert services.refunds_due() == 0


def test_a_late_payment_takes_the_nights_again_when_free(localstripe, held_stay):
    stay, payment = held_stay
    pay(stay, payment)
    Stay.objects.filter(pk=stay.pk).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    assert booking_services.stay_hold_expire(stay_id=stay.pk)  # the stays sweep ran first
    assert taken(stay) == [0, 0]
    services.payment_reconcile(payment_id=payment.pk)
    stay.refresh_from_db()
    payment.refresh_from_db()
    assert stay.status == StayStatus.CONFIRMED and payment.late_outcome == "confirmed" and taken(stay) == [1, 1]
