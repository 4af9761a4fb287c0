"""A real Celery worker for tests/payments/test_worker.py, in its own process (so it can be killed -9).

With CRASH_MARKER set, applying a payment_intent.succeeded event stops half-way: the booking is already
confirmed inside the open transaction, the marker file is written, and the worker sleeps until it is killed.
"""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
django.setup()

from portal.celery import app  # noqa: E402
from portal.payments.services import events, facts  # noqa: E402

marker = os.environ.get("CRASH_MARKER")
if marker:
    original = facts.learn_success

    def stuck_half_way(payment, **kwargs):
        outcome = original(payment, **kwargs)
        with open(marker, "w") as f:
            f.write(str(payment.pk))
        time.sleep(600)
        return outcome

    events.learn_success = stuck_half_way

# Redelivery of an unacknowledged task after seconds, not Redis's default hour.
app.conf.broker_transport_options = {"visibility_timeout": 3, "unacked_restore_interval": 1,
                                     "unacked_restore_throttle": 1}
app.conf.task_always_eager = False
app.worker_main(["worker", "--pool=solo", "--concurrency=1", "--loglevel=INFO", "--without-heartbeat",
                 "--without-gossip", "--without-mingle", "-n", f"payments-test-{os.getpid()}@%h"])
