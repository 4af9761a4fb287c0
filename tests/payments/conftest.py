"""Payments tests run the real stripe SDK against localstripe, started here on a free loopback port."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import stripe

from bookings import services as booking_services
from portal.payments.models import Payment
from tests.bookings.builders import activity, palace, session

VENV_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"
DEAD_URL = "http://127.0.0.1:9/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    port = _free_port()
    log = (tmp_path_factory.mktemp("localstripe") / "localstripe.log").open("w")
    proc = subprocess.Popen([str(VENV_BIN / "localstripe"), "--port", str(port), "--from-scratch"],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("localstripe did not start in time")
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture
def localstripe(settings, localstripe_url):
    """Point the portal's Stripe client at localstripe for this test."""
    settings.STRIPE_API_BASE = localstripe_url
    stripe.api_base = localstripe_url  # code that uses the SDK's globals sees the same server
    return localstripe_url


def register_webhook(base: str, url: str, secret: str, name: str = "portal") -> None:
    """localstripe's own config API: POST /_config/webhooks/<name> {url, secret[, events]}."""
    body = json.dumps({"url": url, "secret": secret}).encode()
    request = urllib.request.Request(f"{base}/_config/webhooks/{name}", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback test server
        assert response.status == 200


@pytest.fixture
def webhooks_to(localstripe, settings):
    """Have localstripe sign and deliver its events to `url` during the test (and to nowhere afterwards)."""
    def register(url: str) -> None:
        register_webhook(localstripe, url, settings.STRIPE_WEBHOOK_SECRET)
    yield register
    register_webhook(localstripe, DEAD_URL, settings.STRIPE_WEBHOOK_SECRET)


@pytest.fixture
def paid_activity(orgs):
    return activity(palace(orgs["city"]), title="油画进阶班", price_fen=3000)


@pytest.fixture
def paid_session(paid_activity):
    return session(paid_activity, capacity=2)


@pytest.fixture
def held(paid_session, member):
    """A booking held for payment and its Payment."""
    booking = booking_services.booking_create(member=member, session_id=paid_session.pk)
    return booking, Payment.objects.get(booking=booking)


def event(kind: str, obj: dict, *, event_id: str | None = None, created: int | None = None) -> dict:
    created = created or int(time.time())
    return {"id": event_id or f"evt_{kind.replace('.', '_')}_{obj.get('id')}_{created}", "object": "event",
            "type": kind, "created": created, "data": {"object": obj}}


def intent_obj(payment: Payment, status: str, **extra) -> dict:
    return {"id": payment.stripe_payment_intent_id, "object": "payment_intent", "status": status,
            "amount": payment.member_share_fen, "metadata": {"payment_id": str(payment.pk)}, **extra}


def sign(body: str, secret: str, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)


def post_event(client, settings, evt: dict, *, timestamp: int | None = None, secret: str | None = None):
    """POST a signed event; the apply task (queued on commit) runs before this returns."""
    from django.test import TestCase

    body = json.dumps(evt)
    header = sign(body, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/webhooks/stripe/", data=body, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=header)
