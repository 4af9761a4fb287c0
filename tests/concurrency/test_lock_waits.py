"""Bounded lock waits on PostgreSQL: a request queued behind a held row lock answers "busy" within seconds."""

from __future__ import annotations

import threading
import time

import pytest
from celery import signals
from django.db import connection, connections, transaction
from django.test import Client
from rest_framework.test import APIClient

from bookings import services
from bookings.models import Booking, BookingStatus, Session
from portal.celery import _task_database_timeouts
from portal.db import use_timeouts
from tests import factories
from tests.bookings import builders

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class RowLock:
    """Another connection holds `SELECT ... FOR UPDATE` on a session until the block ends (staff mid-edit)."""

    def __init__(self, session_id: int):
        self.session_id = session_id
        self.held, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self):
        try:
            with transaction.atomic():
                Session.objects.select_for_update().get(pk=self.session_id)
                self.held.set()
                self.release.wait(timeout=60)
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        assert self.held.wait(timeout=10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(timeout=10)


@pytest.fixture(autouse=True)
def web_limits(settings):
    """The web process's limits, even after an in-process (solo pool) worker test switched to the task ones."""
    use_timeouts(lock_ms=settings.DB_LOCK_TIMEOUT_MS, statement_ms=settings.DB_STATEMENT_TIMEOUT_MS)
    connection.close()


@pytest.fixture
def session():
    orgs = factories.org_tree()
    return builders.session(builders.activity(builders.palace(orgs["city"])), capacity=5), orgs


def test_an_api_booking_behind_a_held_lock_answers_busy_and_writes_nothing(session):
    session, orgs = session
    member = factories.member(organisation=orgs["unit"])
    client = APIClient()
    client.force_authenticate(member.user)
    with RowLock(session.pk):
        started = time.monotonic()
        response = client.post("/api/v1/bookings/", {"session": session.pk, "seats": 1}, format="json")
        waited = time.monotonic() - started
    assert response.status_code == 503, response.content
    assert 2.5 <= waited < 6, waited  # the 3 s lock_timeout, not the 14 s the issue measured
    body = response.json()
    assert body["type"] == "busy" and body["detail"]
    assert int(response["Retry-After"]) > 0
    assert not Booking.objects.filter(member=member).exists()
    assert Session.objects.get(pk=session.pk).booked == 0
    # Once the lock is gone the same request goes through.
    assert client.post("/api/v1/bookings/", {"session": session.pk, "seats": 1}, format="json").status_code == 201


def test_a_page_behind_a_held_lock_says_busy_and_keeps_the_booking(session):
    session, orgs = session
    member = factories.member(organisation=orgs["unit"])
    booking = services.booking_create(member=member, session_id=session.pk)
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(member.user)
    with RowLock(session.pk):
        response = client.post(f"/bookings/{booking.pk}/cancel/", follow=True)
    assert response.status_code == 200
    assert "The service is busy" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert Session.objects.get(pk=session.pk).booked == 1


def test_web_connections_carry_the_short_limits_and_worker_processes_the_long_ones():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "3s"
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "25s"
    try:
        assert any(receiver() is _task_database_timeouts for _key, receiver in signals.worker_process_init.receivers)
        _task_database_timeouts()  # what every prefork Celery child runs at start
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "10s"
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "10min"
    finally:
        use_timeouts(lock_ms=3000, statement_ms=25000)
        connection.close()
