"""Stripe's webhook: only signed, recent events are stored (once) and applied (once, in any order)."""

import json
import random
import time

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bookings.models import Booking, BookingStatus, RefundStatus
from portal.notifications.models import Message
from portal.payments.models import Payment, PaymentStatus, Refund, WebhookEvent

from .conftest import event, intent_obj, post_event, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_intent(held):
    booking, payment = held
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id=f"pi_test_{payment.pk}")
    payment.refresh_from_db()
    return booking, payment


def succeeded(payment, **kw):
    return event("payment_intent.succeeded", intent_obj(payment, "succeeded", latest_charge="ch_1"), **kw)


def test_a_signed_success_confirms_the_booking_once(client, settings, with_intent):
    booking, payment = with_intent
    evt = succeeded(payment)
    for _ in range(3):
        assert post_event(client, settings, evt).status_code == 200
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.stripe_charge_id == "ch_1"
    assert booking.status == BookingStatus.CONFIRMED
    assert WebhookEvent.objects.count() == 1
    assert Message.objects.filter(kind="payment_received").count() == 1


@pytest.mark.parametrize("tamper", ["bad_signature", "missing_header", "old_timestamp", "other_secret"])
def test_an_unverifiable_webhook_is_400_and_changes_nothing(settings, with_intent, tamper):
    booking, payment = with_intent
    body = json.dumps(succeeded(payment))
    headers = {}
    if tamper == "bad_signature":
        headers["HTTP_STRIPE_SIGNATURE"] = sign(body, settings.STRIPE_WEBHOOK_SECRET)[:-4] + "0000"
    elif tamper == "old_timestamp":  # older than the SDK's default tolerance (5 minutes)
        headers["HTTP_STRIPE_SIGNATURE"] = sign(body, settings.STRIPE_WEBHOOK_SECRET, int(time.time()) - 600)
    elif tamper == "other_secret":
        headers["HTTP_STRIPE_SIGNATURE"] = sign(body, "whsec_someone_else")
    response = Client().post("/webhooks/stripe/", data=body, content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json()["type"] == "invalid_webhook"
    assert not WebhookEvent.objects.exists()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.PENDING_PAYMENT
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"id": "evt_1"}', "{\"id\": \"\u00e9\"".encode("latin-1"),
                                  b'{"id": "evt_1", "type": "x", "created": "soon", "data": {"object": {}}}'])
def test_a_signed_but_malformed_body_is_400(settings, body):
    header = sign(body.decode("utf-8", "replace"), settings.STRIPE_WEBHOOK_SECRET)
    response = Client().post("/webhooks/stripe/", data=body, content_type="application/json",
                             HTTP_STRIPE_SIGNATURE=header)
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_get_is_not_allowed(client):
    assert client.get("/webhooks/stripe/").status_code == 405


def test_an_event_for_an_unknown_intent_is_logged_and_acknowledged(client, settings, caplog):
    evt = event("payment_intent.succeeded", {"id": "pi_nobody", "status": "succeeded", "metadata": {}})
    assert post_event(client, settings, evt).status_code == 200
    assert WebhookEvent.objects.get().outcome == "unknown_intent"
    assert "pi_nobody" not in caplog.text or "no known payment" in caplog.text


def test_other_event_types_are_acknowledged_and_ignored(client, settings):
    assert post_event(client, settings, event("customer.created", {"id": "cus_1"})).status_code == 200
    assert WebhookEvent.objects.get().outcome == "ignored"


def test_a_failure_keeps_the_hold_and_a_cancel_releases_it(client, settings, with_intent):
    booking, payment = with_intent
    post_event(client, settings, event("payment_intent.payment_failed", intent_obj(
        payment, "requires_payment_method", last_payment_error={"code": "card_declined",
                                                                "decline_code": "insufficient_funds"})))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.failure_code == "insufficient_funds"
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.PENDING_PAYMENT
    post_event(client, settings, event("payment_intent.canceled", intent_obj(payment, "canceled")))
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED
    assert booking.status == BookingStatus.EXPIRED and booking.session.booked == 0


def test_the_intent_id_is_recovered_from_metadata_when_its_response_was_lost(client, settings, held):
    booking, payment = held  # no intent id saved
    obj = {"id": "pi_lost", "status": "succeeded", "metadata": {"payment_id": str(payment.pk)}}
    post_event(client, settings, event("payment_intent.succeeded", obj))
    payment.refresh_from_db()
    assert payment.stripe_payment_intent_id == "pi_lost" and payment.status == PaymentStatus.SUCCEEDED


# --- Any order, any number of times ---------------------------------------------------------------------

def lifecycle(payment, kind: str) -> list[dict]:
    """Every event of one realistic payment life, with increasing Stripe times."""
    t = int(time.time()) - 100
    fail = lambda code, n: event("payment_intent.payment_failed", intent_obj(  # noqa: E731
        payment, "requires_payment_method", last_payment_error={"code": "card_declined", "decline_code": code}),
        event_id=f"evt_fail_{n}", created=t + n)
    refund = lambda n, amounts: event("charge.refunded", {  # noqa: E731
        "id": "ch_1", "object": "charge", "payment_intent": payment.stripe_payment_intent_id,
        "amount_refunded": sum(amounts), "refunds": {"data": [
            {"id": f"re_{i}", "amount": a, "status": "succeeded", "metadata": {"reason": "r"}}
            for i, a in enumerate(amounts)]}}, event_id=f"evt_refund_{n}", created=t + n)
    if kind == "cancelled":
        return [fail("insufficient_funds", 1), fail("expired_card", 2),
                event("payment_intent.canceled", intent_obj(payment, "canceled"), event_id="evt_c", created=t + 3)]
    events = [fail("insufficient_funds", 1), fail("expired_card", 2),
              succeeded(payment, event_id="evt_s", created=t + 3)]
    if kind == "refunded":
        events += [refund(4, [1000]), refund(5, [1000, 2000])]
    return events


def final_state(payment, booking):
    payment.refresh_from_db()
    booking.refresh_from_db()
    return (payment.status, payment.refunded_fen, payment.failure_code, payment.late_outcome,
            sorted(Refund.objects.filter(payment=payment).values_list("stripe_refund_id", "amount_fen")),
            booking.status, booking.refund_status, booking.session.booked, bool(booking.ticket_code),
            sorted(Message.objects.filter(kind__startswith="payment_").values_list("kind", "body")))


def reset(payment, booking):
    WebhookEvent.objects.all().delete()
    Refund.objects.all().delete()
    Message.objects.all().delete()
    Payment.objects.filter(pk=payment.pk).update(
        status=PaymentStatus.PENDING, succeeded_at=None, cancelled_at=None, failed_at=None, failure_code="",
        failure_message="", failure_seen_at=None, refunded_fen=0, late_outcome="", stripe_charge_id="")
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.PENDING_PAYMENT, ticket_code=None,
                                                 paid_at=None, refund_status=RefundStatus.NONE,
                                                 hold_expires_at=booking.hold_expires_at)
    type(booking.session).objects.filter(pk=booking.session_id).update(booked=booking.seats)


@given(kind=st.sampled_from(["succeeded", "refunded", "cancelled"]), seed=st.integers(0, 2**32 - 1))
@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_replayed_three_times_in_any_order_ends_as_in_order_delivery(settings, with_intent, kind, seed):
    booking, payment = with_intent
    client = Client()
    events = lifecycle(payment, kind)
    reset(payment, booking)
    for evt in events:
        assert post_event(client, settings, evt).status_code == 200
    expected = final_state(payment, booking)

    reset(payment, booking)
    shuffled = events * 3
    random.Random(seed).shuffle(shuffled)
    for evt in shuffled:
        assert post_event(client, settings, evt).status_code == 200
    assert final_state(payment, booking) == expected
    assert WebhookEvent.objects.count() == len(events)
