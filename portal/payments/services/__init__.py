"""Every write of the payments app, split by concern; import from here."""

from .checkout import (
    payment_client_secret,
    payment_confirm_test_card,
    payment_create_for_booking,
    payment_create_for_enrolment,
    payment_create_for_stay,
    payment_intent_ensure,
)
from .events import WebhookRejected, events_unapplied, webhook_event_apply, webhook_event_store
from .refunds import refund_by_policy, refund_by_staff, refunds_due, refunds_from_stripe
from .sweeps import holds_expire_due, payment_expire, payment_reconcile, payments_reconcile

__all__ = [
    "WebhookRejected", "events_unapplied", "holds_expire_due", "payment_client_secret", "payment_confirm_test_card",
    "payment_create_for_booking", "payment_create_for_enrolment", "payment_create_for_stay", "payment_expire",
    "payment_intent_ensure",
    "payment_reconcile", "payments_reconcile", "refund_by_policy", "refund_by_staff", "refunds_due",
    "refunds_from_stripe", "webhook_event_apply", "webhook_event_store",
]
