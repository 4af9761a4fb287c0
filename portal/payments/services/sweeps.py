"""Periodic work: cancel the PaymentIntents of holds that ended, and reconcile payments Stripe never told us about.

Both ask Stripe and apply the answer exactly as a webhook would (services.facts), so a webhook arriving later
(or never) ends in the same state.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import stripe
from django.conf import settings
from django.db import transaction

from .. import gateway
from ..models import Payment, PaymentStatus
from ..payables import ADAPTERS, adapter_for
from ._common import lock, now
from .facts import learn_cancel, learn_intent

log = logging.getLogger(__name__)

OPEN = (PaymentStatus.PENDING, PaymentStatus.FAILED)


def payment_expire(*, payment_id: int) -> str:
    """The payable's hold has ended: cancel the intent at Stripe, or learn that it was paid after all."""
    payment = Payment.objects.filter(pk=payment_id, status__in=OPEN).first()
    if payment is None or not adapter_for(payment).hold_over(payment.payable, now()):
        return "not_due"
    intent = None
    if payment.stripe_payment_intent_id:
        intents = gateway.client().v1.payment_intents
        try:
            intent = intents.cancel(payment.stripe_payment_intent_id,
                                    options=gateway.options(f"{payment.idempotency_key}:cancel"))
        except stripe.InvalidRequestError:
            # Stripe refuses to cancel an intent that succeeded or is processing: see what it is.
            try:
                intent = intents.retrieve(payment.stripe_payment_intent_id)
            except stripe.StripeError as exc:
                log.warning("Payment %s: Stripe unavailable (%s); retried by the next sweep.", payment.pk, exc)
                return "postponed"
        except stripe.StripeError as exc:
            log.warning("Payment %s: Stripe unavailable (%s); retried by the next sweep.", payment.pk, exc)
            return "postponed"
    with transaction.atomic():
        payment = lock(payment.pk)
        if intent is None:
            return learn_cancel(payment)
        return learn_intent(payment, intent=gateway.as_dict(intent))


def holds_expire_due() -> int:
    moment = now()
    count = 0
    for adapter in ADAPTERS.values():
        ids = list(Payment.objects.filter(status__in=OPEN, **{f"{adapter.field}__isnull": False}).filter(
            adapter.hold_over_q(moment)).values_list("pk", flat=True)[:500])
        for pk in ids:
            count += payment_expire(payment_id=pk) in ("cancelled", "succeeded")
    return count


def payment_reconcile(*, payment_id: int) -> str:
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or not payment.stripe_payment_intent_id:
        return "no_intent"
    try:
        intent = gateway.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    except stripe.StripeError as exc:
        log.warning("Reconcile payment %s: Stripe unavailable (%s).", payment.pk, exc)
        return "postponed"
    with transaction.atomic():
        return learn_intent(lock(payment.pk), intent=gateway.as_dict(intent))


def payments_reconcile(*, older_than_minutes: int | None = None) -> dict[str, int]:
    """Ask Stripe about every payment still open after the threshold (its webhook may never have come)."""
    minutes = settings.PAYMENT_RECONCILE_AFTER_MINUTES if older_than_minutes is None else older_than_minutes
    cutoff = now() - timedelta(minutes=minutes)
    ids = list(Payment.objects.filter(status__in=OPEN, stripe_payment_intent_id__isnull=False,
                                      updated_at__lte=cutoff).order_by("updated_at")
               .values_list("pk", flat=True)[:500])
    outcomes: dict[str, int] = {}
    for pk in ids:
        outcome = payment_reconcile(payment_id=pk)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
