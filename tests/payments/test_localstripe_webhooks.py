"""End to end over the network: the real stripe SDK pays at localstripe, and localstripe's signed webhooks
really arrive at the live test server, which verifies, stores and applies them."""

import json
import socketserver
import threading
import urllib.request

import pytest
import stripe
from celery.signals import task_postrun
from django.db import connection

from bookings.models import BookingStatus
from portal.members.models import Role
from portal.payments import gateway, services
from portal.payments.models import Payment, PaymentStatus, Refund, WebhookEvent
from portal.payments.tasks import webhook_event_apply
from tests import factories
from tests.conftest import staff_client

from .conftest import event, sign

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def applied():
    """applied(type) waits until the live server has applied an event of that type.

    The test does not poll the database meanwhile: with SQLite's shared in-memory test database, a read here
    while the server thread writes would make the server's write fail ("database table is locked").
    """
    seen: list[str] = []
    arrived = threading.Condition()

    def on_task_done(sender=None, args=None, retval=None, **kwargs):
        with arrived:
            seen.append(WebhookEvent.objects.get(pk=args[0]).type)
            arrived.notify_all()

    task_postrun.connect(on_task_done, sender=webhook_event_apply, weak=False)

    def wait(kind: str, seconds: float = 20.0) -> bool:
        with arrived:
            return arrived.wait_for(lambda: kind in seen, timeout=seconds)

    yield wait
    task_postrun.disconnect(on_task_done, sender=webhook_event_apply)


@pytest.fixture
def live_webhooks(live_server, webhooks_to):
    """The live server, with localstripe delivering its webhooks there.

    With SQLite the test database is one in-memory connection that the live server's request threads share:
    localstripe sends several events at once, and two requests interleaving their transactions on that one
    connection fail ("cannot start a transaction within a transaction"). Here the server takes them one at a
    time, as each would be on its own connection in production."""
    httpd = live_server.thread.httpd
    if connection.vendor == "sqlite":
        httpd.process_request = lambda request, address: socketserver.BaseServer.process_request(
            httpd, request, address)
    webhooks_to(f"{live_server.url}/webhooks/stripe/")
    yield live_server
    httpd.__dict__.pop("process_request", None)


def pay(booking, payment, number):
    return services.payment_confirm_test_card(member=booking.member, payment_id=payment.pk, card_number=number,
                                              exp_month=12, exp_year=2030, cvc="123")


def test_paid_by_card_the_signed_webhook_arrives_and_confirms_the_seat(live_webhooks, applied, held):
    booking, payment = held
    pay(booking, payment, "4242424242424242")
    assert applied("payment_intent.succeeded")
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    event = WebhookEvent.objects.get(type="payment_intent.succeeded")
    assert event.payment_id == payment.pk and event.outcome == "succeeded" and event.processed_at
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.ticket_code


def test_a_card_declined_at_charge_time_arrives_as_payment_failed_and_keeps_the_hold(live_webhooks, applied,
                                                                                     held):
    booking, payment = held
    pay(booking, payment, "4000000000000341")  # attaches fine, declined when charged
    assert applied("payment_intent.payment_failed")
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.failure_code == "card_declined"
    assert booking.status == BookingStatus.PENDING_PAYMENT


def test_a_staff_refund_at_stripe_and_its_signed_charge_refunded_event(live_webhooks, applied, held, orgs,
                                                                       settings):
    booking, payment = held
    pay(booking, payment, "4242424242424242")
    assert applied("payment_intent.succeeded")
    payment.refresh_from_db()
    manager = staff_client(factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER))
    response = manager.post(f"/api/v1/staff/payments/{payment.pk}/refund/", {"amount_fen": 3000, "reason": "停课"},
                            format="json")
    assert response.status_code == 201
    refund_id = Refund.objects.get().stripe_refund_id
    # localstripe records the refund but sends no charge.refunded event: deliver localstripe's own charge,
    # signed, over HTTP as Stripe would, and check it is recognised as the refund already recorded.
    charge = gateway.as_dict(gateway.client().v1.charges.retrieve(payment.stripe_charge_id))
    assert charge["refunded"] is True and charge["amount_refunded"] == 3000
    body = json.dumps(event("charge.refunded", charge))
    request = urllib.request.Request(f"{live_webhooks.url}/webhooks/stripe/", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Stripe-Signature": sign(body, settings.STRIPE_WEBHOOK_SECRET)})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    assert applied("charge.refunded")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_fen == 3000
    assert list(Refund.objects.values_list("stripe_refund_id", flat=True)) == [refund_id]  # recorded once


def test_localstripe_agrees_the_intent_succeeded(live_webhooks, applied, held):
    booking, payment = held
    pay(booking, payment, "4242424242424242")
    assert applied("payment_intent.succeeded")
    intent = gateway.client().v1.payment_intents.retrieve(Payment.objects.get(pk=payment.pk)
                                                          .stripe_payment_intent_id)
    assert intent.status == "succeeded" and intent.amount == 3000
    assert isinstance(intent, stripe.PaymentIntent)
