"""Stripe webhooks: verify and store each event once, then apply it once (from a task, retry-safe)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.errors import DomainError

from ..models import Payment, WebhookEvent
from ._common import lock, now
from .facts import learn_cancel, learn_failure, learn_refunds, learn_success

log = logging.getLogger(__name__)

HANDLED = ("payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
           "charge.refunded")


class WebhookRejected(DomainError):
    status_code = 400
    type = "invalid_webhook"
    title = _("Invalid webhook.")


def webhook_event_store(*, payload: bytes, signature: str | None) -> tuple[WebhookEvent, bool]:
    """Verify the signature (the SDK's check, default tolerance) and store the event once by its id.

    Returns (event, needs_applying). Nothing is stored for a bad, missing or old signature or a malformed body.
    """
    try:
        # The SDK's own check with its default tolerance; the body is parsed by us (the SDK's parser
        # fails with an AttributeError on a signed body that is not an object).
        stripe.WebhookSignature.verify_header(payload, signature, settings.STRIPE_WEBHOOK_SECRET,
                                              tolerance=stripe.Webhook.DEFAULT_TOLERANCE)
        data = json.loads(payload)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise WebhookRejected(_("The webhook signature or body is invalid."), code="invalid_webhook") from exc
    if not isinstance(data, dict):
        raise WebhookRejected(_("The webhook signature or body is invalid."), code="invalid_webhook")
    event_id, kind, created = data.get("id"), data.get("type"), data.get("created")
    obj = (data.get("data") or {}).get("object") if isinstance(data.get("data"), dict) else None
    if not (isinstance(event_id, str) and event_id and isinstance(kind, str) and isinstance(created, int)
            and isinstance(obj, dict)):
        raise WebhookRejected(_("The webhook signature or body is invalid."), code="invalid_webhook")
    try:
        with transaction.atomic():
            event, _created = WebhookEvent.objects.get_or_create(event_id=event_id[:255], defaults={
                "type": kind[:100], "stripe_created": created, "payload": data})
    except IntegrityError:  # the same event delivered twice at the same moment
        event = WebhookEvent.objects.get(event_id=event_id[:255])
    return event, event.processed_at is None


def _payment_for(obj: dict, kind: str) -> Payment | None:
    intent_id = obj.get("payment_intent") if kind.startswith("charge.") else obj.get("id")
    intent_id = intent_id.get("id") if isinstance(intent_id, dict) else intent_id
    if isinstance(intent_id, str) and intent_id:
        payment = Payment.objects.filter(stripe_payment_intent_id=intent_id).first()
        if payment is not None:
            return payment
    # The intent was created but its id never got saved (a lost response): our metadata names the payment.
    raw = (obj.get("metadata") or {}).get("payment_id") if not kind.startswith("charge.") else None
    if isinstance(raw, str) and raw.isdigit() and isinstance(intent_id, str):
        updated = Payment.objects.filter(pk=int(raw), stripe_payment_intent_id__isnull=True).update(
            stripe_payment_intent_id=intent_id)
        if updated:
            return Payment.objects.get(pk=int(raw))
    return None


def _apply(payment: Payment, kind: str, obj: dict, created: int) -> str:
    if kind == "payment_intent.succeeded":
        charge = obj.get("latest_charge")
        return learn_success(payment, charge_id=charge.get("id", "") if isinstance(charge, dict) else charge or "")
    if kind == "payment_intent.payment_failed":
        return learn_failure(payment, error=obj.get("last_payment_error"), seen=created)
    if kind == "payment_intent.canceled":
        return learn_cancel(payment)
    if kind == "charge.refunded":
        return learn_refunds(payment, charge=obj)
    return "ignored"


def webhook_event_apply(*, event_id: int) -> Payment | None:
    """Apply a stored event exactly once: its processed mark commits together with its effects."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.processed_at is not None:
            return None
        obj = event.payload["data"]["object"]
        payment = _payment_for(obj, event.type) if event.type in HANDLED else None
        if payment is None:
            if event.type in HANDLED:
                log.warning("Stripe event %s (%s) names no known payment; acknowledged and ignored.",
                            event.event_id, event.type)
            event.outcome = "unknown_intent" if event.type in HANDLED else "ignored"
        else:
            payment = lock(payment.pk)
            event.payment = payment
            event.outcome = _apply(payment, event.type, obj, event.stripe_created)
        event.processed_at = now()
        event.save(update_fields=["payment", "outcome", "processed_at"])
    return payment


def events_unapplied(*, older_than_seconds: int = 60) -> list[int]:
    """Stored events whose task never ran to the end (a lost queue message): the sweep applies them."""
    cutoff = now() - timedelta(seconds=older_than_seconds)
    return list(WebhookEvent.objects.filter(processed_at__isnull=True, received_at__lte=cutoff)
                .order_by("received_at").values_list("pk", flat=True)[:500])
