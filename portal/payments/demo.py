"""Demo payment history for member@example.com, paid through localstripe with Stripe's test card: one paid
session with a receipt, and one cancelled in time and refunded. Skipped when localstripe is not running
(`make run` starts it before seeding). Idempotent: a member who already paid for these activities is left alone.
"""

from __future__ import annotations

import logging

import stripe
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Activity
from portal.errors import DomainError

from . import gateway, services
from .models import Payment

log = logging.getLogger(__name__)

PLANS = [("油画进阶班", False), ("羽毛球场地开放时段", True)]  # (activity, cancel and refund it)


def _pay(member, activity: Activity, cancel: bool) -> bool:
    for session in activity.sessions.filter(start__gt=timezone.now()).order_by("start")[:5]:
        try:
            booking = booking_services.booking_create(member=member, session_id=session.pk)
        except DomainError:
            continue
        payment = Payment.objects.get(booking=booking)
        services.payment_confirm_test_card(member=member, payment_id=payment.pk, card_number="4242424242424242",
                                           exp_month=12, exp_year=timezone.now().year + 3, cvc="123")
        services.payment_reconcile(payment_id=payment.pk)  # no webhook during seeding: ask Stripe
        if cancel:
            booking_services.booking_cancel(member=member, booking_id=booking.pk)
            services.refunds_due()
        return True
    return False


def _stripe_up() -> bool:
    try:
        gateway.client().v1.payment_intents.list(params={"limit": 1})
        return True
    except stripe.StripeError:
        log.warning("localstripe is not running: the demo payment history is skipped.")
        return False


def seed(context: dict) -> None:
    member = context.get("members", {}).get("member")
    if member is None or not gateway.test_mode() or not _stripe_up():
        return
    for title, cancel in PLANS:
        activity = Activity.objects.filter(title=title).first()
        if activity is None or Payment.objects.filter(member=member, booking__session__activity=activity).exists():
            continue
        try:
            _pay(member, activity, cancel)
        except gateway.ProviderUnavailable:
            log.warning("localstripe is not running: the demo payment history is skipped.")
            return
