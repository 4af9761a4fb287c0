"""Paying a held booking through the real stripe SDK against localstripe (test mode)."""

import pytest

from bookings import services as booking_services
from bookings.models import BookingStatus
from portal.errors import Conflict, NotFound
from portal.payments import services
from portal.payments.declines import DECLINED as DECLINED_MESSAGE
from portal.payments.declines import decline_message
from portal.payments.models import Payment, PaymentStatus
from tests import factories

pytestmark = pytest.mark.django_db

VISA, DECLINED, CHARGE_FAILS = "4242424242424242", "4000000000000002", "4000000000000341"


def pay(booking, payment, number=VISA):
    return services.payment_confirm_test_card(member=booking.member, payment_id=payment.pk, card_number=number,
                                              exp_month=12, exp_year=2030, cvc="123")


def test_a_paid_booking_gets_one_payment_with_its_amounts(held, paid_session, member):
    booking, payment = held
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert (payment.amount_fen, payment.member_share_fen, payment.subsidy_fen, payment.currency) == (
        3000, 3000, 0, "CNY")
    assert payment.status == PaymentStatus.PENDING and payment.member == member
    assert services.payment_create_for_booking(booking=booking) == payment  # one per booking
    assert Payment.objects.count() == 1


def test_a_free_booking_has_no_payment(orgs, member):
    from tests.bookings.builders import activity, palace, session

    free = session(activity(palace(orgs["city"])))
    booking = booking_services.booking_create(member=member, session_id=free.pk)
    assert booking.status == BookingStatus.CONFIRMED
    assert not Payment.objects.exists()


def test_paying_with_the_test_card_waits_for_stripe_then_confirms_the_seat(localstripe, held):
    booking, payment = held
    payment = pay(booking, payment)
    booking.refresh_from_db()
    # Nothing is marked paid on our own say-so: the booking waits for Stripe's verified answer.
    assert payment.processing and payment.status == PaymentStatus.PENDING
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert payment.stripe_payment_intent_id.startswith("pi_")
    # The webhook never came: reconciliation asks Stripe and applies the answer as the webhook would.
    assert services.payment_reconcile(payment_id=payment.pk) == "succeeded"
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.stripe_charge_id.startswith("ch_")
    assert booking.status == BookingStatus.CONFIRMED and booking.ticket_code and booking.paid_at
    assert services.payment_reconcile(payment_id=payment.pk) == "duplicate"  # a second answer changes nothing


def test_a_declined_card_says_why_in_chinese_and_keeps_the_hold(localstripe, held):
    booking, payment = held
    payment = pay(booking, payment, DECLINED)
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.failure_code == "card_declined"
    # The member reads our translatable message for the code, never Stripe's English text.
    assert decline_message(payment.failure_code) == str(DECLINED_MESSAGE)
    assert decline_message(payment.failure_code) != payment.failure_message
    assert booking.status == BookingStatus.PENDING_PAYMENT  # the member may try another card until it expires
    # ... and the next card goes through.
    payment = pay(booking, payment, VISA)
    assert payment.processing
    assert services.payment_reconcile(payment_id=payment.pk) == "succeeded"


def test_a_card_declined_when_charged_is_recorded(localstripe, held):
    booking, payment = held
    payment = pay(booking, payment, CHARGE_FAILS)
    assert payment.status == PaymentStatus.FAILED and payment.failure_code == "card_declined"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT


def test_confirming_twice_while_processing_or_after_success_is_a_conflict(localstripe, held):
    booking, payment = held
    pay(booking, payment)
    with pytest.raises(Conflict) as exc:
        pay(booking, payment)
    assert exc.value.code == "processing"
    services.payment_reconcile(payment_id=payment.pk)
    with pytest.raises(Conflict) as exc:
        pay(booking, payment)
    assert exc.value.code == "already_paid"


def test_someone_elses_payment_is_not_found(localstripe, held, orgs):
    booking, payment = held
    other = factories.member(organisation=orgs["unit"])
    with pytest.raises(NotFound):
        services.payment_confirm_test_card(member=other, payment_id=payment.pk, card_number=VISA, exp_month=12,
                                           exp_year=2030, cvc="123")
    assert Payment.objects.get(pk=payment.pk).attempts == 0


def test_live_keys_switch_the_test_card_form_off(localstripe, held, settings):
    booking, payment = held
    settings.STRIPE_SECRET_KEY = "sk_live_realmoney"
    with pytest.raises(NotFound):
        pay(booking, payment)
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_TEST_MODE = False
    with pytest.raises(NotFound):
        pay(booking, payment)


def test_an_amount_that_no_longer_matches_the_booking_is_refused(localstripe, held):
    booking, payment = held
    type(booking).objects.filter(pk=booking.pk).update(amount_fen=1)
    with pytest.raises(Conflict) as exc:
        pay(booking, payment)
    assert exc.value.code == "amount_mismatch"
    assert not Payment.objects.get(pk=payment.pk).stripe_payment_intent_id


def test_the_database_refuses_a_payment_without_exactly_one_payable(held):
    from django.db import IntegrityError, transaction

    booking, payment = held
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(member=payment.member, amount_fen=100, member_share_fen=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(amount_fen=5000)  # amount = share + subsidy


def test_stripe_down_is_a_clear_503_and_changes_nothing(held):
    from portal.payments.gateway import ProviderUnavailable

    booking, payment = held  # no localstripe: the test settings point at a closed port
    with pytest.raises(ProviderUnavailable):
        pay(booking, payment)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and not payment.stripe_payment_intent_id
