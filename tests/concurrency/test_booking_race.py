"""Hundreds of concurrent booking attempts against PostgreSQL, each thread on its own connection.

Mixed in: duplicate attempts by the same member, immediate cancellations (which trigger waitlist offers
in-process), offer acceptances and repeated runs of the offer task. Afterwards the seat counter equals
the seats of seat-holding bookings, capacity is never exceeded, nobody holds two active bookings, and
no request ended in a 500 or an unexpected exception.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.db.models import Count, Sum
from rest_framework.test import APIClient

from bookings import services
from bookings.models import ACTIVE_STATUSES, SEAT_STATUSES, Booking, Session
from portal.members.models import Role
from tests import factories
from tests.bookings import builders

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 240
CAPACITY = 20


def _client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _attempt(i: int, user, session_id: int, start: threading.Event, outcomes: list, errors: list) -> None:
    try:
        start.wait(timeout=120)
        client = _client(user)
        kind = i % 8
        seats = 2 if kind == 1 else 1
        response = client.post("/api/v1/bookings/", {"session": session_id, "seats": seats,
                                                     "waitlist": kind in (2, 3, 5)}, format="json")
        outcomes.append(("book", response.status_code))
        if response.status_code == 201:
            booking = response.json()
            if kind in (4, 5) and booking["status"] in ("confirmed", "waitlisted"):
                outcomes.append(("cancel", client.post(f"/api/v1/bookings/{booking['id']}/cancel/").status_code))
            elif kind == 3:
                # waitlisted members keep asking; accept an offer when one arrives
                for _ in range(3):
                    services.waitlist_offer_next(session_id=session_id)  # the task, run again and again
                    state = client.get(f"/api/v1/bookings/{booking['id']}/").json()["status"]
                    if state == "offered":
                        outcomes.append(("accept",
                                         client.post(f"/api/v1/bookings/{booking['id']}/accept/").status_code))
                        break
    except Exception as exc:  # noqa: BLE001 - collected and asserted below
        errors.append(repr(exc))
    finally:
        connections.close_all()


def test_concurrent_rush_never_oversells():
    orgs = factories.org_tree()
    facility = builders.palace(orgs["city"])
    activity = builders.activity(facility, title="热门瑜伽课", max_seats_per_booking=2, waitlist_enabled=True)
    session = builders.session(activity, capacity=CAPACITY, starts_in=timedelta(days=3))
    users = [factories.member(organisation=orgs["unit"]).user for _ in range(ATTEMPTS - 40)]
    # 40 attempts are a second, simultaneous try by members who are already racing
    users += random.Random(7).sample(users, 40)
    start = threading.Event()
    outcomes: list = []
    errors: list = []
    with ThreadPoolExecutor(max_workers=48) as pool:
        futures = [pool.submit(_attempt, i, user, session.pk, start, outcomes, errors)
                   for i, user in enumerate(users)]
        start.set()  # release the first 48 at once; the rest follow as threads free up
        for future in futures:
            future.result()
    connections.close_all()

    assert errors == []
    codes = Counter(code for _op, code in outcomes)
    assert all(code < 500 for code in codes), codes
    assert set(codes) <= {200, 201, 409}, codes
    assert sum(1 for op, _c in outcomes if op == "book") == ATTEMPTS

    session.refresh_from_db()
    seats = Booking.objects.filter(session=session, status__in=SEAT_STATUSES).aggregate(n=Sum("seats"))["n"] or 0
    assert session.booked == seats
    assert 0 <= session.booked <= CAPACITY
    services.offers_expire_due()  # the next beat tick sweeps any seat freed during a waitlist insert
    session.refresh_from_db()
    # Freed seats were offered on: any seat still free is one no waiting member could take.
    waiting = Booking.objects.filter(session=session, status="waitlisted").values_list("seats", flat=True)
    assert all(s > session.remaining for s in waiting)
    doubles = (Booking.objects.filter(session=session, status__in=ACTIVE_STATUSES).values("member_id")
               .annotate(n=Count("id")).filter(n__gt=1))
    assert not doubles.exists()
    assert codes[409] > 0  # the full session and the duplicate attempts were refused cleanly


def test_session_cancel_races_bookings_and_cancellations():
    orgs = factories.org_tree()
    facility = builders.palace(orgs["city"])
    manager = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)
    session = builders.session(builders.activity(facility), capacity=CAPACITY)
    members = [factories.member(organisation=orgs["unit"]) for _ in range(60)]
    start = threading.Event()
    errors: list = []

    def book(member):
        try:
            start.wait(timeout=120)
            try:
                booking = services.booking_create(member=member, session_id=session.pk, waitlist=True)
                services.booking_cancel(member=member, booking_id=booking.pk)
            except Exception as exc:  # noqa: BLE001
                if getattr(exc, "status_code", 500) >= 500:
                    errors.append(repr(exc))
        finally:
            connections.close_all()

    def cancel_session():
        try:
            start.wait(timeout=120)
            services.session_cancel(actor=manager, session_id=session.pk, reason="暴雨停课")
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=21) as pool:
        futures = [pool.submit(book, member) for member in members[:30]]
        futures.append(pool.submit(cancel_session))
        futures += [pool.submit(book, member) for member in members[30:]]
        start.set()
        for future in futures:
            future.result()
    connections.close_all()
    assert errors == []
    session = Session.objects.get(pk=session.pk)
    seats = Booking.objects.filter(session=session, status__in=SEAT_STATUSES).aggregate(n=Sum("seats"))["n"] or 0
    assert session.status == "cancelled"
    assert session.booked == seats == 0
