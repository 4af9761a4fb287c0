"""Creating a payment for a payable, its Stripe PaymentIntent, and (test mode only) paying it with a test card.

Nothing here marks anything paid: the payable changes when Stripe's signed webhook (or reconciliation)
says the PaymentIntent succeeded. A declined card is Stripe's own synchronous answer and is recorded at once.
"""

from __future__ import annotations

import logging

import stripe
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bookings.models import Booking, Stay
from mutualaid.models import Enrolment
from portal.errors import Conflict, NotFound

from .. import gateway
from ..models import PAID_STATUSES, Payment, PaymentStatus
from ..payables import BookingPayable, EnrolmentPayable, StayPayable, adapter_for
from ._common import lock, now, save, unix_now

log = logging.getLogger(__name__)

# Stripe's documented test cards map to its test PaymentMethods (no card number leaves the portal for them);
# localstripe knows the same ids.
TEST_PAYMENT_METHODS = {
    "4242424242424242": "pm_card_visa",
    "4000000000000002": "pm_card_visa_chargeDeclined",
    "4000000000000341": "pm_card_chargeCustomerFail",
}


def _payment_for(adapter, payable) -> Payment | None:
    """The payable's one Payment (created on first call); None when the member has nothing to pay."""
    amounts = adapter.amounts(payable)
    if amounts.member_share_fen <= 0:
        return None
    link = {adapter.field: payable}
    existing = Payment.objects.filter(**link).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Payment.objects.create(
                **link, member_id=payable.member_id, amount_fen=amounts.amount_fen,
                member_share_fen=amounts.member_share_fen, subsidy_fen=amounts.subsidy_fen,
                currency=amounts.currency)
    except IntegrityError:  # created concurrently: the unique payable column keeps it to one
        return Payment.objects.get(**link)


def payment_create_for_booking(*, booking: Booking) -> Payment | None:
    return _payment_for(BookingPayable, booking)


def payment_create_for_stay(*, stay: Stay) -> Payment | None:
    """The member's share of a stay; None when the union pays all of it."""
    return _payment_for(StayPayable, stay)


def payment_create_for_enrolment(*, enrolment: Enrolment) -> Payment | None:
    """A mutual-aid contribution; None when nothing is due (a union-funded scheme)."""
    return _payment_for(EnrolmentPayable, enrolment)


def _check_payable(payment: Payment) -> None:
    adapter = adapter_for(payment)
    payable = payment.payable
    if payment.status in PAID_STATUSES:
        raise Conflict(_("This payment has already been made."), code="already_paid")
    if payment.status == PaymentStatus.CANCELLED or adapter.hold_over(payable, now()):
        raise Conflict(_("The seat hold has ended, so this payment can no longer be made."), code="hold_over")
    amounts = adapter.amounts(payable)
    if (amounts.amount_fen, amounts.subsidy_fen, amounts.currency) != (
            payment.amount_fen, payment.subsidy_fen, payment.currency):
        raise Conflict(_("The amount due has changed; this payment no longer matches it."), code="amount_mismatch")


def payment_intent_ensure(*, payment_id: int) -> Payment:
    """Create the Stripe PaymentIntent once (the idempotency key makes a concurrent or retried call reuse it)."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.stripe_payment_intent_id:
        return payment
    _check_payable(payment)
    try:
        intent = gateway.client().v1.payment_intents.create(params={
            "amount": payment.member_share_fen, "currency": payment.currency.lower(),
            "payment_method_types": gateway.method_types(),
            "metadata": {"payment_id": str(payment.pk), "payable": f"{adapter_for(payment).field}:"
                                                                   f"{payment.payable.pk}"},
        }, options=gateway.options(f"{payment.idempotency_key}:intent"))
    except stripe.StripeError as exc:
        raise gateway.unavailable(exc)
    Payment.objects.filter(pk=payment.pk, stripe_payment_intent_id__isnull=True).update(
        stripe_payment_intent_id=intent.id)
    payment.refresh_from_db()
    return payment


def payment_client_secret(*, payment: Payment) -> str:
    """For Stripe's Payment Element on the member's page (never stored)."""
    payment = payment_intent_ensure(payment_id=payment.pk)
    try:
        return gateway.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).client_secret
    except stripe.StripeError as exc:
        raise gateway.unavailable(exc)


def _begin_attempt(payment_id: int) -> Payment:
    with transaction.atomic():
        payment = lock(payment_id)
        _check_payable(payment)
        if payment.processing:
            raise Conflict(_("This payment is being processed. Wait for the result."), code="processing")
        payment.attempts += 1
        payment.confirm_requested_at = now()
        payment.failed_at = None
        return save(payment)


def record_failure(payment: Payment, *, code: str, message: str, seen: int) -> bool:
    """Keep the newest failure (by Stripe's time); the caller holds the row lock. False when it was older."""
    if payment.failure_seen_at is not None and seen < payment.failure_seen_at:
        return False
    payment.failure_code, payment.failure_message, payment.failure_seen_at = code[:100], message[:500], seen
    payment.failed_at = now()
    payment.confirm_requested_at = None
    return True


def _declined(payment_id: int, exc: stripe.StripeError) -> Payment:
    error = getattr(exc, "error", None)
    code = getattr(error, "decline_code", None) or exc.code or "card_declined"
    with transaction.atomic():
        payment = lock(payment_id)
        if payment.succeeded_at is None:
            record_failure(payment, code=code, message=str(getattr(exc, "user_message", "") or ""), seen=unix_now())
        return save(payment)


def _abandon_attempt(payment_id: int) -> None:
    Payment.objects.filter(pk=payment_id, succeeded_at__isnull=True).update(confirm_requested_at=None)


def payment_confirm_test_card(*, member, payment_id: int, card_number: str, exp_month: int, exp_year: int,
                              cvc: str) -> Payment:
    """Test mode only: pay with one of Stripe's test cards. The outcome arrives by webhook; a decline at once."""
    if not gateway.test_mode():
        raise NotFound()
    if not Payment.objects.filter(pk=payment_id, member=member).exists():
        raise NotFound()
    payment = payment_intent_ensure(payment_id=payment_id)
    payment = _begin_attempt(payment.pk)
    key = f"{payment.idempotency_key}:attempt:{payment.attempts}"
    client = gateway.client().v1
    try:
        if card_number in TEST_PAYMENT_METHODS:
            method_id = TEST_PAYMENT_METHODS[card_number]
        else:
            method_id = client.payment_methods.create(params={"type": "card", "card": {
                "number": card_number, "exp_month": exp_month, "exp_year": exp_year, "cvc": cvc}},
                options=gateway.options(f"{key}:method")).id
        customer = client.customers.create(params={"metadata": {"member_id": str(member.pk)}},
                                           options=gateway.options(f"{key}:customer"))
        # Attaching verifies the card: Stripe declines 4000 0000 0000 0002 here (localstripe too).
        method = client.payment_methods.attach(method_id, params={"customer": customer.id},
                                               options=gateway.options(f"{key}:attach"))
        client.payment_intents.update(payment.stripe_payment_intent_id, params={
            "payment_method": method.id, "customer": customer.id}, options=gateway.options(f"{key}:update"))
        client.payment_intents.confirm(payment.stripe_payment_intent_id, options=gateway.options(f"{key}:confirm"))
    except stripe.CardError as exc:
        return _declined(payment.pk, exc)
    except stripe.InvalidRequestError as exc:
        log.warning("Stripe refused confirming payment %s: %s", payment.pk, exc)
        _abandon_attempt(payment.pk)
        raise Conflict(_("This payment cannot be completed now. Please try again later."), code="not_confirmable")
    except stripe.StripeError as exc:
        _abandon_attempt(payment.pk)
        raise gateway.unavailable(exc)
    payment.refresh_from_db()
    return payment
