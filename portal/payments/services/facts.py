"""Applying what Stripe says about a payment: the same code for webhooks, reconciliation and hold expiry.

Each function takes a payment whose row the caller has locked and records one fact that never un-happens
(succeeded, cancelled, a failure, refunds). The status is derived from those facts, so applying an event twice
or out of order changes nothing the second time and ends in the same state as in-order delivery.
"""

from __future__ import annotations

import logging

import stripe

from .. import gateway
from ..models import LateOutcome, Payment, Refund
from ..payables import adapter_for
from ._common import now, save, tell_member, unix_now
from .checkout import record_failure

log = logging.getLogger(__name__)


def _id(value) -> str:
    """Stripe expands some references to objects (localstripe always does); we only need the id."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def learn_success(payment: Payment, *, charge_id: str = "") -> str:
    if charge_id and not payment.stripe_charge_id:
        payment.stripe_charge_id = charge_id
    if payment.succeeded_at is not None:
        save(payment)
        return "duplicate"
    payment.succeeded_at = now()
    payment.confirm_requested_at = None
    save(payment)
    payment.late_outcome = adapter_for(payment).paid(payment.payable)
    save(payment)
    kind = {LateOutcome.NONE: getattr(adapter_for(payment), "received_kind", "payment_received"),
            LateOutcome.CONFIRMED: "payment_late_confirmed",
            LateOutcome.REFUNDED: "payment_late_refunded"}[payment.late_outcome]
    tell_member(payment, kind)
    return "succeeded" + (f"_late_{payment.late_outcome}" if payment.late_outcome else "")


def learn_cancel(payment: Payment) -> str:
    if payment.cancelled_at is not None or payment.succeeded_at is not None:
        return "ignored"
    payment.cancelled_at = now()
    payment.confirm_requested_at = None
    save(payment)
    adapter_for(payment).release(payment.payable)
    return "cancelled"


def learn_failure(payment: Payment, *, error: dict | None, seen: int) -> str:
    error = error or {}
    code = error.get("decline_code") or error.get("code") or "card_declined"
    if not record_failure(payment, code=code, message=str(error.get("message") or ""), seen=seen):
        return "stale"
    save(payment)
    return "failed"


def _refund_list(charge: dict) -> list[dict] | None:
    refunds = charge.get("refunds")
    if isinstance(refunds, dict) and isinstance(refunds.get("data"), list):
        return refunds["data"]
    if not charge.get("id"):
        return None
    try:  # newer API versions leave the list out of the event: ask Stripe (a verified answer too)
        return [gateway.as_dict(r) for r in gateway.client().v1.refunds.list(params={"charge": charge["id"]}).data]
    except stripe.StripeError as exc:
        log.warning("Could not list refunds of %s: %s", charge.get("id"), exc)
        return None


def learn_refunds(payment: Payment, *, charge: dict) -> str:
    """Record each refund once (unique Stripe id); the refunded total only ever grows."""
    if payment.succeeded_at is None:
        learn_success(payment, charge_id=_id(charge.get("id")))  # a refund proves the charge succeeded
    new: list[int] = []
    for item in _refund_list(charge) or []:
        if item.get("status") not in (None, "succeeded", "pending") or not item.get("id"):
            continue
        metadata = item.get("metadata") or {}
        refund, created = Refund.objects.get_or_create(stripe_refund_id=item["id"], defaults={
            "payment": payment, "amount_fen": int(item.get("amount") or 0),
            "reason": str(metadata.get("reason") or item.get("reason") or "")[:300]})
        if created:
            new.append(refund.amount_fen)
    recorded = sum(payment.refunds.values_list("amount_fen", flat=True))
    total = min(max(payment.refunded_fen, int(charge.get("amount_refunded") or 0), recorded),
                payment.member_share_fen)
    unlisted = total - payment.refunded_fen - sum(new)  # a refund Stripe told us about only as a total
    payment.refunded_fen = total
    save(payment)
    if not new and unlisted <= 0:
        return "duplicate"
    adapter_for(payment).refunded(payment.payable)
    if payment.late_outcome != LateOutcome.REFUNDED:  # the late-payment message already said so
        # One message per refund, so any delivery order tells the member the same.
        for amount in new + ([unlisted] if unlisted > 0 else []):
            tell_member(payment, "payment_refunded", amount_fen=amount)
    return "refunded"


def learn_intent(payment: Payment, *, intent: dict, seen: int | None = None) -> str:
    """What a retrieved (or cancelled) PaymentIntent says, applied as its webhook would be."""
    state = intent.get("status")
    if state == "succeeded":
        return learn_success(payment, charge_id=_id(intent.get("latest_charge")))
    if state == "canceled":
        return learn_cancel(payment)
    if state == "requires_payment_method" and intent.get("last_payment_error"):
        return learn_failure(payment, error=intent["last_payment_error"], seen=seen or unix_now())
    if state in ("requires_payment_method", "requires_confirmation") and payment.processing:
        payment.confirm_requested_at = None  # the attempt never reached Stripe: let the member try again
        save(payment)
        return "attempt_abandoned"
    return "unchanged"
