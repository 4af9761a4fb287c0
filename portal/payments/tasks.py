"""Thin Celery tasks: each takes primary keys (or nothing) and calls a retry-safe service."""

from celery import shared_task

from . import services
from .payables import adapter_for


@shared_task(acks_late=True)
def webhook_event_apply(event_id: int) -> str:
    payment = services.webhook_event_apply(event_id=event_id)
    if payment is not None and adapter_for(payment).refund_due(payment.payable):
        refund_by_policy.delay(payment.pk)  # a late payment whose seat had gone: refund it now
    return "applied" if payment is not None else "done"


@shared_task(acks_late=True)
def refund_by_policy(payment_id: int) -> bool:
    return services.refund_by_policy(payment_id=payment_id) is not None


@shared_task
def holds_expire() -> int:
    return services.holds_expire_due()


@shared_task
def refunds_due() -> int:
    return services.refunds_due()


@shared_task
def events_apply_pending() -> int:
    pending = services.events_unapplied()
    for pk in pending:
        webhook_event_apply.delay(pk)
    return len(pending)


@shared_task
def reconcile() -> dict:
    return services.payments_reconcile()
