"""Ballot draw: weighted, reproducible from the stored seed, losers waitlisted in draw order.

Weights favour members who have not attended this activity in the past year (weight 3 vs 1). Each
registration's weight and the seed are stored, so `ballot_order` replays the exact draw for an audit.
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from portal.notifications.services import notify

from ..models import Attendance, Booking, BookingStatus, Session, SessionStatus
from ..rules import booking_window
from ..signals import payment_due
from ._common import hold_until, now, session_context, take_seats, with_new_ticket


def ballot_order(*, seed: str, entries: list[tuple[int, float]]) -> list[int]:
    """Weighted random order without replacement (Efraimidis-Spirakis keys u^(1/w)), entries sorted by id."""
    rng = random.Random(seed)
    keyed = [(rng.random() ** (1.0 / weight), booking_id) for booking_id, weight in sorted(entries)]
    return [booking_id for _key, booking_id in sorted(keyed, reverse=True)]


def _weights(session: Session, interests: list[Booking]) -> dict[int, float]:
    since = session.start - timedelta(days=365)
    attended = set(Booking.objects.filter(
        session__activity_id=session.activity_id, attendance=Attendance.ATTENDED, session__start__gte=since,
        session__start__lt=session.start, member_id__in=[b.member_id for b in interests],
    ).values_list("member_id", flat=True))
    fresh = float(settings.BALLOT_NEWCOMER_WEIGHT)
    return {b.pk: (1.0 if b.member_id in attended else fresh) for b in interests}


_DRAWN_FIELDS = ["status", "ballot_weight", "ballot_rank", "hold_expires_at", "queue_position", "updated_at"]


def _save_drawn(booking: Booking) -> None:
    """Store a registration's draw result; a confirmed winner gets its ticket."""
    if booking.status != BookingStatus.CONFIRMED:
        booking.save(update_fields=_DRAWN_FIELDS)
        return

    def save(ticket: dict) -> None:
        for field, value in ticket.items():
            setattr(booking, field, value)
        booking.save(update_fields=[*_DRAWN_FIELDS, *ticket])

    with_new_ticket(save)


def ballot_draw(*, session_id: int, seed: str | None = None) -> list[int]:
    """Run the draw once booking has closed; a second run (task retry) finds it drawn and does nothing."""
    moment = now()
    with transaction.atomic():
        session = Session.objects.select_for_update(of=("self",)).select_related("activity__facility").filter(
            pk=session_id).first()
        if (session is None or not session.activity.ballot or session.ballot_drawn_at is not None
                or session.status != SessionStatus.SCHEDULED or booking_window(session.activity, session)[1] > moment):
            return []
        seed = seed or secrets.token_hex(16)
        interests = list(Booking.objects.filter(session=session, status=BookingStatus.INTEREST)
                         .select_related("member__user"))
        weights = _weights(session, interests)
        for booking in interests:
            booking.ballot_weight = weights[booking.pk]
        order = ballot_order(seed=seed, entries=list(weights.items()))
        by_id = {b.pk: b for b in interests}
        winners: list[int] = []
        for rank, booking_id in enumerate(order, start=1):
            booking = by_id[booking_id]
            booking.ballot_rank = rank
            if take_seats(session.pk, booking.seats):
                winners.append(booking_id)
                if booking.amount_fen:
                    booking.status, booking.hold_expires_at = BookingStatus.PENDING_PAYMENT, hold_until(moment)
                else:
                    booking.status = BookingStatus.CONFIRMED
            else:
                booking.status = BookingStatus.WAITLISTED
                booking.queue_position = rank  # losers queue in draw order
            _save_drawn(booking)
            if booking.status == BookingStatus.PENDING_PAYMENT:
                payment_due.send(sender=Booking, booking=booking)
            kind = "ballot_won" if booking_id in winners else "ballot_lost"
            notify(user=booking.member.user, kind=kind, context=session_context(session))
        Session.objects.filter(pk=session.pk).update(ballot_seed=seed, ballot_drawn_at=moment)
    return winners


def ballots_due() -> list[int]:
    """Ballot sessions whose booking window has closed and that have not been drawn yet."""
    moment = now()
    candidates = Session.objects.filter(activity__ballot=True, ballot_drawn_at__isnull=True,
                                        status=SessionStatus.SCHEDULED, start__gt=moment).select_related("activity")
    return [s.pk for s in candidates if booking_window(s.activity, s)[1] <= moment]
