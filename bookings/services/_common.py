"""Helpers shared by the booking services: seat counter moves, tickets, time windows, task hand-off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from portal.constraints import constraint_name
from portal.queue import enqueue_on_commit

from .. import seat_hints
from ..models import Session, SessionStatus
from ..rules import LOCAL_TZ, offer_window  # noqa: F401 - re-exported for the services
from ..tickets import new_ticket

T = TypeVar("T")
TICKET_CONSTRAINTS = {"uniq_booking_ticket_code", "uniq_booking_ticket_short"}
TICKET_ATTEMPTS = 5


def now() -> datetime:
    return timezone.now()


def take_seats(session_id: int, seats: int) -> bool:
    """The only way seats are taken: one conditional UPDATE; False when they do not fit (or not scheduled)."""
    taken = bool(Session.objects.filter(pk=session_id, status=SessionStatus.SCHEDULED,
                                        booked__lte=F("capacity") - seats).update(booked=F("booked") + seats))
    if taken:
        seat_hints.session_changed(session_id)
    return taken


def lock_session(session_id: int) -> None:
    """Lock order is always session row first, then booking rows, so cancellations never deadlock.

    Whoever locks the session is about to change its bookings (a cancellation, an expiry, a late payment,
    a given-back offer): its seat hint is dropped once the transaction commits."""
    seat_hints.session_changed(session_id)
    list(Session.objects.select_for_update().filter(pk=session_id).values_list("pk", flat=True))


def release_seats(session_id: int, seats: int) -> None:
    # The CHECK constraint (booked >= 0) turns any double release into an IntegrityError, never a silent drift.
    seat_hints.session_changed(session_id)
    Session.objects.filter(pk=session_id).update(booked=F("booked") - seats)


def is_ticket_clash(exc: IntegrityError) -> bool:
    return constraint_name(exc) in TICKET_CONSTRAINTS


def with_new_ticket(write: Callable[[dict], T]) -> T:
    """Run `write(ticket fields)` in a savepoint; when a drawn code is already taken (a short code has 40
    bits, so over years of tickets it happens), roll back just that write and draw again."""
    for attempt in range(TICKET_ATTEMPTS):
        try:
            with transaction.atomic():
                return write(new_ticket())
        except IntegrityError as exc:
            if not is_ticket_clash(exc) or attempt + 1 == TICKET_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def hold_until(moment: datetime) -> datetime:
    return moment + timedelta(minutes=settings.BOOKING_HOLD_MINUTES)


def local(moment: datetime) -> str:
    return date_format(moment.astimezone(LOCAL_TZ), "Y-m-d H:i")


def local_time(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M")


def session_context(session: Session) -> dict:
    return {"activity": session.activity.title, "facility": session.activity.facility.name,
            "start": local(session.start)}


def after_commit_offer(session_id: int) -> None:
    """Seats may have freed up: let the waitlist task offer them once this transaction commits."""
    enqueue_on_commit("bookings.tasks.waitlist_offer", session_id)
