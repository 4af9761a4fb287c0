"""With a broker, a cancellation reaches the waitlist through a real Celery worker, once."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from bookings import services
from bookings.models import BookingStatus, Session
from portal.celery import app


def _wait_for(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_offers_the_freed_seat_to_the_first_in_line(free_activity, make_member, monkeypatch):
    from tests.bookings import builders

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    session = builders.session(free_activity, capacity=1)
    holder = services.booking_create(member=make_member(), session_id=session.pk)
    first = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    second = services.booking_create(member=make_member(), session_id=session.pk, waitlist=True)
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"):
        services.booking_cancel(member=holder.member, booking_id=holder.pk)
        offered = _wait_for(lambda: first.__class__.objects.get(pk=first.pk).status == BookingStatus.OFFERED)
        # The same task delivered twice (a broker redelivery) must not offer a second seat.
        app.send_task("bookings.tasks.waitlist_offer", args=[session.pk]).get(timeout=10)
    assert offered
    second.refresh_from_db()
    assert second.status == BookingStatus.WAITLISTED
    assert Session.objects.get(pk=session.pk).booked == 1
    assert any(first.member.user.email in m.to for m in mail.outbox)
