"""A ticket cancelled while the door scans it: the check-in waits for the cancellation and refuses the ticket,
instead of checking in (and counting) a booking that is no longer confirmed."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections, transaction

from bookings import services
from bookings.models import Booking, BookingStatus
from portal.errors import Conflict
from portal.members.models import Role
from portal.stats.models import ServiceRecord
from tests import factories
from tests.bookings import builders

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_ticket_cancelled_during_check_in_is_refused_and_not_counted():
    orgs = factories.org_tree()
    facility = builders.palace(orgs["city"])
    session = builders.session(builders.activity(facility, cancel_hours_before=0), starts_in=timedelta(hours=2))
    member = factories.member(organisation=orgs["unit"])
    manager = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)
    booking = services.booking_create(member=member, session_id=session.pk)
    cancelling, outcome = threading.Event(), {}

    def cancel():
        try:
            with transaction.atomic():
                Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
                cancelling.set()
                time.sleep(1.0)  # the door's check-in reads the old row and then waits on this one
        finally:
            connections.close_all()

    def scan():
        try:
            cancelling.wait(timeout=30)
            outcome["booking"] = services.checkin(actor=manager, code=booking.ticket_code)
        except Conflict as exc:
            outcome["refused"] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cancel), threading.Thread(target=scan)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome == {"refused": "not_confirmed"}
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.checked_in_at is None
    assert not ServiceRecord.objects.exists()
