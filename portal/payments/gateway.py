"""The one door to Stripe: the official SDK with the configured key and base (localstripe in dev and tests).

Every POST carries an idempotency key derived from the payment's own key, so a retried request is answered
by Stripe with the first result instead of charging, refunding or cancelling twice.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from portal.errors import DomainError

log = logging.getLogger(__name__)


class ProviderUnavailable(DomainError):
    """Stripe could not be reached or refused the request for a reason the member cannot fix."""

    status_code = 503
    type = "payment_provider_unavailable"
    title = _("The payment service is not available right now. Please try again in a moment.")


def live_keys() -> bool:
    return settings.STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_"))


def test_mode() -> bool:
    """Test cards may be typed into our own form only in test mode, and never with live keys."""
    return bool(settings.STRIPE_TEST_MODE) and not live_keys()


def method_types() -> list[str]:
    return ["card"] if test_mode() else list(settings.PAYMENT_METHOD_TYPES)


@lru_cache(maxsize=4)
def _client(api_key: str, api_base: str, retries: int) -> stripe.StripeClient:
    base = {"api": api_base} if api_base else None
    return stripe.StripeClient(api_key, base_addresses=base, max_network_retries=retries)


def client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_MAX_NETWORK_RETRIES)


def options(key: str) -> dict:
    return {"idempotency_key": key}


def unavailable(exc: stripe.StripeError) -> ProviderUnavailable:
    log.warning("Stripe call failed: %s (%s)", type(exc).__name__, getattr(exc, "user_message", "") or exc)
    return ProviderUnavailable()


def as_dict(obj) -> dict:
    """A StripeObject (or an already plain dict) as plain nested dicts."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
