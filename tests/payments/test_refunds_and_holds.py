"""Refunds by policy and by staff, hold expiry and late payments, against localstripe."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Attendance, Booking, BookingStatus, RefundStatus, Session
from portal.errors import Conflict, NotFound, NotPermitted
from portal.members.models import Role
from portal.notifications.models import Message
from portal.payments import services
from portal.payments.models import LateOutcome, Payment, PaymentStatus, Refund
from tests import factories

from .test_checkout import VISA, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(localstripe, held):
    booking, payment = held
    pay(booking, payment)
    services.payment_reconcile(payment_id=payment.pk)
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    return booking, payment


@pytest.fixture
def manager(orgs):
    return factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)


def test_cancelling_before_the_deadline_refunds_in_full(paid):
    booking, payment = paid
    booking_services.booking_cancel(member=booking.member, booking_id=booking.pk)
    assert services.refunds_due() == 1
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_fen == 3000
    assert booking.refund_status == RefundStatus.REFUNDED
    refund = Refund.objects.get(payment=payment)
    assert refund.stripe_refund_id.startswith("re_") and refund.amount_fen == 3000 and refund.actor is None
    assert services.refunds_due() == 0  # the sweep again: nothing more
    assert Message.objects.filter(kind="payment_refunded").count() == 1


def test_cancelling_after_the_deadline_refunds_the_configured_percentage(paid, settings):
    booking, payment = paid
    settings.PAYMENT_LATE_CANCEL_REFUND_PERCENT = 40
    Session.objects.filter(pk=booking.session_id).update(start=timezone.now() + timedelta(hours=3),
                                                         end=timezone.now() + timedelta(hours=4))
    booking = booking_services.booking_cancel(member=booking.member, booking_id=booking.pk)
    assert booking.status == BookingStatus.LATE_CANCELLED and booking.refund_status == RefundStatus.PENDING
    services.refunds_due()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED and payment.refunded_fen == 1200


def test_no_refund_after_the_deadline_when_the_percentage_is_zero(paid, settings):
    booking, payment = paid
    settings.PAYMENT_LATE_CANCEL_REFUND_PERCENT = 0
    Session.objects.filter(pk=booking.session_id).update(start=timezone.now() + timedelta(hours=3),
                                                         end=timezone.now() + timedelta(hours=4))
    booking_services.booking_cancel(member=booking.member, booking_id=booking.pk)
    assert services.refunds_due() == 0
    booking.refresh_from_db()
    assert booking.refund_status == RefundStatus.NONE
    assert not Refund.objects.exists()


def test_a_cancelled_session_refunds_every_paid_booking(paid, manager):
    booking, payment = paid
    booking_services.session_cancel(actor=manager, session_id=booking.session_id, reason="场馆维修")
    services.refunds_due()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED


def test_staff_refund_with_reason_and_the_same_request_twice_refunds_once(paid, manager):
    booking, payment = paid
    refund, created = services.refund_by_staff(actor=manager, payment_id=payment.pk, amount_fen=1000,
                                               reason="课程临时调整")
    again, created_again = services.refund_by_staff(actor=manager, payment_id=payment.pk, amount_fen=1000,
                                                    reason="课程临时调整")
    assert created and not created_again and again == refund
    assert refund.actor == manager and refund.reason == "课程临时调整"
    payment.refresh_from_db()
    assert payment.refunded_fen == 1000 and payment.status == PaymentStatus.PARTIALLY_REFUNDED
    # More than what is left is refused with the field named, and changes nothing.
    with pytest.raises(ValidationError) as exc:
        services.refund_by_staff(actor=manager, payment_id=payment.pk, amount_fen=2001, reason="再退")
    assert "amount_fen" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.refund_by_staff(actor=manager, payment_id=payment.pk, amount_fen=10, reason="  ")
    assert "reason" in exc.value.message_dict
    assert Payment.objects.get(pk=payment.pk).refunded_fen == 1000


def test_staff_refunds_are_scoped_and_need_the_refund_right(paid, orgs):
    booking, payment = paid
    sibling = factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER)
    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    with pytest.raises(NotFound):
        services.refund_by_staff(actor=sibling, payment_id=payment.pk, amount_fen=100, reason="x")
    with pytest.raises(NotPermitted):
        services.refund_by_staff(actor=officer, payment_id=payment.pk, amount_fen=100, reason="x")
    assert not Refund.objects.exists()


def test_no_refund_for_a_no_show(paid, manager):
    booking, payment = paid
    Booking.objects.filter(pk=booking.pk).update(attendance=Attendance.NO_SHOW)
    with pytest.raises(Conflict):
        services.refund_by_staff(actor=manager, payment_id=payment.pk, amount_fen=100, reason="x")


def test_an_unpaid_payment_cannot_be_refunded(localstripe, held, manager):
    booking, payment = held
    with pytest.raises(Conflict):
        services.refund_by_staff(actor=manager, payment_id=payment.pk, amount_fen=100, reason="x")


def _expire_hold(booking):
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - timedelta(seconds=1))


def test_an_ended_hold_cancels_the_intent_and_frees_the_seat(localstripe, held):
    booking, payment = held
    services.payment_intent_ensure(payment_id=payment.pk)
    _expire_hold(booking)
    assert services.holds_expire_due() == 1
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED
    assert booking.status == BookingStatus.EXPIRED and booking.session.booked == 0
    # Stripe agrees: the intent is cancelled, so the member cannot be charged any more.
    from portal.payments import gateway
    assert gateway.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status == "canceled"
    with pytest.raises(Conflict):
        pay(booking, payment, VISA)


def test_a_payment_made_just_before_expiry_is_learnt_not_cancelled(localstripe, held):
    booking, payment = held
    pay(booking, payment)  # charged at Stripe; its webhook has not arrived
    _expire_hold(booking)
    services.holds_expire_due()  # Stripe refuses to cancel a succeeded intent: we learn it was paid
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and booking.status == BookingStatus.CONFIRMED


def test_a_late_payment_takes_the_seat_when_it_is_still_free(localstripe, held):
    booking, payment = held
    pay(booking, payment)
    _expire_hold(booking)
    assert booking_services.hold_expire(booking_id=booking.pk)  # bookings' own sweep ran first
    services.payment_reconcile(payment_id=payment.pk)
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.late_outcome == LateOutcome.CONFIRMED and payment.status == PaymentStatus.SUCCEEDED
    assert booking.status == BookingStatus.CONFIRMED and booking.session.booked == 1
    assert Message.objects.filter(kind="payment_late_confirmed", user=booking.member.user).exists()


def test_a_late_payment_is_refunded_when_the_seat_has_gone(localstripe, held, paid_session, make_member):
    booking, payment = held
    pay(booking, payment)
    _expire_hold(booking)
    booking_services.hold_expire(booking_id=booking.pk)
    others = [booking_services.booking_create(member=make_member(), session_id=paid_session.pk) for _ in range(2)]
    assert all(b.status == BookingStatus.PENDING_PAYMENT for b in others)  # the session is full again
    services.payment_reconcile(payment_id=payment.pk)
    services.refunds_due()
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.late_outcome == LateOutcome.REFUNDED and payment.status == PaymentStatus.REFUNDED
    assert booking.status == BookingStatus.EXPIRED and booking.refund_status == RefundStatus.REFUNDED
    assert Session.objects.get(pk=paid_session.pk).booked == 2
    assert Message.objects.filter(kind="payment_late_refunded", user=booking.member.user).count() == 1
    assert not Message.objects.filter(kind="payment_refunded").exists()  # one message, not two


def test_payments_reconcile_command(localstripe, held, capsys):
    booking, payment = held
    pay(booking, payment)
    call_command("payments_reconcile", "--older-than", "0")
    assert "succeeded: 1" in capsys.readouterr().out
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED


@pytest.fixture
def make_member(orgs):
    return lambda: factories.member(organisation=orgs["unit"])
