"""A real Celery worker killed (-9) in the middle of applying a Stripe event: after redelivery the event is
applied exactly once (acks_late, the event's processed mark committed with its effects)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from bookings.models import BookingStatus, Session
from portal.celery import app
from portal.notifications.models import Message
from portal.payments import services, tasks
from portal.payments.models import Payment, PaymentStatus, WebhookEvent

from .conftest import event, intent_obj, sign

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def start_worker(tmp_path, name: str, crash_marker: Path | None = None) -> subprocess.Popen:
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "PYTHONPATH": str(ROOT),
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"}
    env.pop("CRASH_MARKER", None)
    if crash_marker:
        env["CRASH_MARKER"] = str(crash_marker)
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen([sys.executable, str(ROOT / "tests" / "payments" / "worker_process.py")], env=env,
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_worker_killed_mid_event_applies_it_exactly_once_after_redelivery(held, tmp_path, monkeypatch):
    booking, payment = held
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id="pi_worker_test")
    payment.refresh_from_db()
    body = json.dumps(event("payment_intent.succeeded", intent_obj(payment, "succeeded", latest_charge="ch_w")))
    stored, pending = services.webhook_event_store(
        payload=body.encode(), signature=sign(body, django_settings.STRIPE_WEBHOOK_SECRET))
    assert pending
    app.control.purge()  # nothing left over on this broker db from earlier runs
    marker = tmp_path / "half-way"

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    doomed = start_worker(tmp_path, "doomed", crash_marker=marker)
    try:
        tasks.webhook_event_apply.delay(stored.pk)
        assert wait_for(marker.exists), (tmp_path / "doomed.log").read_text()
        # Half-way: the booking is confirmed inside the worker's open transaction, not yet committed.
        assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
    finally:
        stop(doomed)
    # Killed: its transaction rolled back, nothing applied, the message unacknowledged.
    assert WebhookEvent.objects.get(pk=stored.pk).processed_at is None
    assert booking.__class__.objects.get(pk=booking.pk).status == BookingStatus.PENDING_PAYMENT

    survivor = start_worker(tmp_path, "survivor")
    try:
        applied = wait_for(lambda: WebhookEvent.objects.get(pk=stored.pk).processed_at is not None, 60)
        assert applied, (tmp_path / "survivor.log").read_text()
        # Stripe delivering the same event again, and the sweep re-queueing it, change nothing.
        tasks.webhook_event_apply.delay(stored.pk)
        tasks.events_apply_pending.delay()
        time.sleep(2)
    finally:
        stop(survivor)
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and booking.status == BookingStatus.CONFIRMED
    assert Session.objects.get(pk=booking.session_id).booked == booking.seats
    assert Message.objects.filter(user=booking.member.user, kind="payment_received").count() == 1
    assert WebhookEvent.objects.get(pk=stored.pk).outcome == "succeeded"
