"""Helpers shared by the payment services: row locks, the status rule, money labels, messages."""

from __future__ import annotations

import hashlib
import time

from django.utils import timezone

from portal.notifications.services import notify

from ..models import Payment, PaymentStatus
from ..payables import adapter_for


def now():
    return timezone.now()


def unix_now() -> int:
    return int(time.time())


def lock(payment_id: int) -> Payment:
    """The payment row, locked until the caller's transaction ends: one writer per payment at a time."""
    return Payment.objects.select_for_update(of=("self",)).get(pk=payment_id)


def derived_status(payment: Payment) -> str:
    """The status follows from facts that only ever accumulate, so any delivery order ends in the same one."""
    if payment.succeeded_at is not None:
        if payment.refunded_fen >= payment.member_share_fen:
            return PaymentStatus.REFUNDED
        return PaymentStatus.PARTIALLY_REFUNDED if payment.refunded_fen else PaymentStatus.SUCCEEDED
    if payment.cancelled_at is not None:
        return PaymentStatus.CANCELLED
    if payment.failed_at is not None:
        return PaymentStatus.FAILED
    return PaymentStatus.PENDING


def save(payment: Payment) -> Payment:
    payment.status = derived_status(payment)
    payment.save()
    return payment


def fen_label(fen: int, currency: str = "CNY") -> str:
    symbol = "¥" if currency in ("CNY", "") else f"{currency} "
    return f"{symbol}{fen // 100:,}.{fen % 100:02d}"


def digest(*parts) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


def tell_member(payment: Payment, kind: str, amount_fen: int | None = None) -> None:
    adapter = adapter_for(payment)
    payable = payment.payable
    context = {**adapter.notify_context(payable),
               "amount": fen_label(payment.member_share_fen if amount_fen is None else amount_fen, payment.currency)}
    notify(user=adapter.member(payable).user, kind=kind, context=context, link=adapter.link(payable))
