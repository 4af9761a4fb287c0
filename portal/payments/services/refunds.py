"""Refunds: by the payable's cancellation policy (automatic) or by staff (amount and reason), each once.

A refund request has a key (the payment, and for staff the amount and reason). Under the payment's row lock a
second request with the same key gets the first refund back, and Stripe gets the same idempotency key, so two
identical requests at the same moment refund once.
"""

from __future__ import annotations

import logging

import stripe
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.errors import Conflict, NotPermitted
from portal.members import permissions
from portal.members.permissions import Action

from .. import gateway, selectors
from ..models import LateOutcome, Payment, Refund
from ..payables import adapter_for
from ._common import digest, lock, save, tell_member
from .facts import learn_refunds

log = logging.getLogger(__name__)


def _refund(*, payment_id: int, amount_fen: int, reason: str, actor, request_key: str) -> tuple[Refund, bool]:
    with transaction.atomic():
        payment = lock(payment_id)
        existing = Refund.objects.filter(request_key=request_key).first()
        if existing is not None:
            return existing, False
        if payment.succeeded_at is None:
            raise Conflict(_("Only a payment that has been made can be refunded."), code="not_paid")
        if amount_fen < 1 or amount_fen > payment.refundable_fen:
            raise ValidationError({"amount_fen": [
                _("Enter an amount between 1 and %(max)d fen (what is left to refund).")
                % {"max": payment.refundable_fen}]})
        try:
            answer = gateway.client().v1.refunds.create(params={
                "payment_intent": payment.stripe_payment_intent_id, "amount": amount_fen,
                "metadata": {"payment_id": str(payment.pk), "reason": reason[:450]},
            }, options=gateway.options(f"refund:{request_key}"))
        except stripe.StripeError as exc:
            raise gateway.unavailable(exc)
        refund, _created = Refund.objects.get_or_create(stripe_refund_id=answer.id, defaults={
            "payment": payment, "amount_fen": answer.amount or amount_fen, "reason": reason[:300]})
        Refund.objects.filter(pk=refund.pk).update(request_key=request_key, actor=actor, reason=reason[:300])
        refund.refresh_from_db()
        recorded = sum(payment.refunds.values_list("amount_fen", flat=True))
        payment.refunded_fen = min(max(payment.refunded_fen, recorded), payment.member_share_fen)
        save(payment)
        adapter_for(payment).refunded(payment.payable)
        if payment.late_outcome != LateOutcome.REFUNDED:
            tell_member(payment, "payment_refunded", amount_fen=refund.amount_fen)
    return refund, True


def refund_by_staff(*, actor, payment_id: int, amount_fen: int, reason: str) -> tuple[Refund, bool]:
    """A staff refund of `amount_fen` with a reason. Returns (refund, created); asked twice, refunded once."""
    payment = selectors.payment_get_for_staff(actor=actor, payment_id=payment_id)
    if not permissions.can(actor, Action.REFUND_PAYMENT, payment):
        raise NotPermitted(_("You may not refund payments here."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the payment is refunded.")]})
    refused = adapter_for(payment).staff_refund_allowed(payment.payable)
    if refused:
        raise Conflict(refused, code="policy")
    key = digest("staff", payment.pk, amount_fen, reason)
    return _refund(payment_id=payment.pk, amount_fen=amount_fen, reason=reason, actor=actor, request_key=key)


def refund_by_policy(*, payment_id: int) -> Refund | None:
    """Refund what the payable's cancellation policy says, once; None when nothing is due."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return None
    adapter = adapter_for(payment)
    payable = payment.payable
    if not adapter.refund_due(payable):
        return None
    amount, reason = adapter.policy_refund_fen(payable, payment)
    if payment.succeeded_at is None or amount <= 0:
        adapter.refund_cleared(payable)
        return None
    refund, _created = _refund(payment_id=payment.pk, amount_fen=amount, reason=reason, actor=None,
                               request_key=digest("policy", payment.pk))
    return refund


def refunds_due() -> int:
    """The sweep: every payable marked "refund due" (cancelled, late-paid) gets its policy refund."""
    from ..payables import ADAPTERS

    done = 0
    for adapter in ADAPTERS.values():
        ids = list(Payment.objects.filter(adapter.refund_due_q(), succeeded_at__isnull=False)
                   .values_list("pk", flat=True)[:200])
        for pk in ids:
            try:
                done += refund_by_policy(payment_id=pk) is not None
            except gateway.ProviderUnavailable:
                log.warning("Refund of payment %s postponed: Stripe unavailable.", pk)
    return done


def refunds_from_stripe(*, payment_id: int, charge: dict) -> str:
    with transaction.atomic():
        return learn_refunds(lock(payment_id), charge=charge)
