"""Races on PostgreSQL, each thread on its own connection: hold expiry against a late success, and the same
refund requested twice at once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import SEAT_STATUSES, Booking, BookingStatus, RefundStatus, Session
from portal.members.models import Role
from portal.notifications.models import Message
from portal.payments import gateway, services
from portal.payments.models import LateOutcome, Payment, PaymentStatus, Refund
from tests import factories
from tests.bookings import builders

from .conftest import event, intent_obj, post_event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls) -> list:
    """Start every call at the same moment, each in its own thread with its own connection; return errors."""
    start = threading.Barrier(len(calls))
    errors: list = []

    def run(call):
        try:
            start.wait(timeout=30)
            call()
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def pay_at_stripe(booking, payment):
    services.payment_confirm_test_card(member=booking.member, payment_id=payment.pk, card_number="4242424242424242",
                                       exp_month=12, exp_year=2030, cvc="123")
    payment.refresh_from_db()
    return payment


def test_hold_expiry_against_a_late_success_never_loses_money_or_seats(localstripe, settings):
    orgs = factories.org_tree()
    session = builders.session(builders.activity(builders.palace(orgs["city"]), price_fen=3000,
                                                 max_seats_per_booking=1), capacity=6)
    members = [factories.member(organisation=orgs["unit"]) for _ in range(9)]
    held = []
    for member in members[:6]:
        booking = booking_services.booking_create(member=member, session_id=session.pk)
        held.append((booking, pay_at_stripe(booking, Payment.objects.get(booking=booking))))
    Booking.objects.filter(pk__in=[b.pk for b, _p in held]).update(hold_expires_at=timezone.now() - timedelta(1))

    def expire(booking, payment):
        def call():
            booking_services.hold_expire(booking_id=booking.pk)  # bookings' own sweep ...
            services.payment_expire(payment_id=payment.pk)       # ... and the payments sweep
        return call

    def webhook(payment):
        def call():
            post = post_event(Client(), settings, event("payment_intent.succeeded", intent_obj(
                payment, "succeeded", latest_charge="ch_race"), event_id=f"evt_race_{payment.pk}"))
            assert post.status_code == 200
        return call

    def newcomer(member):  # takes a freed seat if it gets there first
        def call():
            time.sleep(0.01)
            try:
                booking_services.booking_create(member=member, session_id=session.pk)
            except Exception:  # noqa: BLE001 - full is a fine outcome
                pass
        return call

    calls = [c for b, p in held for c in (expire(b, p), webhook(p))] + [newcomer(m) for m in members[6:]]
    assert run_together(*calls) == []
    services.refunds_due()

    session.refresh_from_db()
    seat_holders = Booking.objects.filter(session=session, status__in=SEAT_STATUSES)
    assert session.booked == (seat_holders.aggregate(n=Sum("seats"))["n"] or 0) <= session.capacity
    for booking, payment in held:
        payment.refresh_from_db()
        booking.refresh_from_db()
        # Paid at Stripe: learnt exactly once, whoever got there first.
        assert payment.succeeded_at is not None
        assert Message.objects.filter(user=booking.member.user, kind__startswith="payment_").exclude(
            kind="payment_refunded").count() == 1
        if booking.status == BookingStatus.CONFIRMED:
            assert payment.status == PaymentStatus.SUCCEEDED and payment.late_outcome != LateOutcome.REFUNDED
        else:  # the seat went to someone else: the money went back, once
            assert booking.status == BookingStatus.EXPIRED
            assert payment.status == PaymentStatus.REFUNDED and payment.late_outcome == LateOutcome.REFUNDED
            assert booking.refund_status == RefundStatus.REFUNDED
            assert Refund.objects.filter(payment=payment).count() == 1


def test_the_same_refund_requested_twice_at_once_refunds_once(localstripe):
    orgs = factories.org_tree()
    session = builders.session(builders.activity(builders.palace(orgs["city"]), price_fen=3000))
    member = factories.member(organisation=orgs["unit"])
    manager = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)
    booking = booking_services.booking_create(member=member, session_id=session.pk)
    payment = pay_at_stripe(booking, Payment.objects.get(booking=booking))
    services.payment_reconcile(payment_id=payment.pk)
    results = []

    def refund():
        results.append(services.refund_by_staff(actor=manager, payment_id=payment.pk, amount_fen=2000,
                                                reason="重复点击")[1])

    assert run_together(refund, refund, refund) == []
    assert sorted(results) == [False, False, True]
    payment.refresh_from_db()
    assert payment.refunded_fen == 2000 and Refund.objects.filter(payment=payment).count() == 1
    charge = gateway.client().v1.charges.retrieve(payment.stripe_charge_id)
    assert charge.amount_refunded == 2000  # Stripe itself refunded once


def test_the_policy_refund_sweep_running_twice_at_once_refunds_once(localstripe):
    orgs = factories.org_tree()
    session = builders.session(builders.activity(builders.palace(orgs["city"]), price_fen=3000))
    member = factories.member(organisation=orgs["unit"])
    booking = booking_services.booking_create(member=member, session_id=session.pk)
    payment = pay_at_stripe(booking, Payment.objects.get(booking=booking))
    services.payment_reconcile(payment_id=payment.pk)
    booking_services.booking_cancel(member=member, booking_id=booking.pk)
    assert run_together(services.refunds_due, services.refunds_due) == []
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and Refund.objects.filter(payment=payment).count() == 1
    assert Session.objects.get(pk=session.pk).booked == 0
