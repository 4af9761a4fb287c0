"""Waitlist: first come, first served offers that hold seats for a window, then pass on.

Every step is a conditional UPDATE on the booking's status plus one on the session counter inside one
transaction, so concurrent cancellations, two task runs or a retry never offer a seat twice.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from portal.errors import Conflict
from portal.notifications.services import notify

from ..models import Booking, BookingStatus, Session, SessionStatus
from ..selectors import booking_get
from ..signals import payment_due
from ._common import (
    after_commit_offer,
    hold_until,
    local,
    lock_session,
    now,
    offer_window,
    release_seats,
    session_context,
    take_seats,
    with_new_ticket,
)


class _Lost(Exception):
    """The booking changed under us: roll back the seats taken for it."""


def waitlist_offer_next(*, session_id: int) -> list[int]:
    """Offer free seats to waitlisted members in queue order; returns the ids offered."""
    session = Session.objects.select_related("activity__facility").filter(pk=session_id).first()
    if session is None or session.status != SessionStatus.SCHEDULED or not session.activity.waitlist_enabled:
        return []
    offered: list[int] = []
    moment = now()
    window = offer_window(session, moment)
    if window is None:
        return []
    queue = Booking.objects.filter(session_id=session_id, status=BookingStatus.WAITLISTED).select_related(
        "member__user").order_by("queue_position", "id")
    for booking in queue:
        session.refresh_from_db(fields=["booked", "capacity", "status"])
        if session.remaining <= 0 or session.status != SessionStatus.SCHEDULED:
            break
        if booking.seats > session.remaining:
            continue  # a smaller request further down may still fit
        try:
            with transaction.atomic():
                if not take_seats(session_id, booking.seats):
                    raise _Lost
                if not Booking.objects.filter(pk=booking.pk, status=BookingStatus.WAITLISTED).update(
                        status=BookingStatus.OFFERED, offer_expires_at=moment + window):
                    raise _Lost
                notify(user=booking.member.user, kind="waitlist_offer",
                       context={**session_context(session), "until": local(moment + window)},
                       link=f"/bookings/{booking.pk}/")
        except _Lost:
            continue
        offered.append(booking.pk)
    return offered


def offer_accept(*, member, booking_id: int) -> Booking:
    booking = booking_get(member=member, booking_id=booking_id)
    moment = now()
    if booking.status != BookingStatus.OFFERED:
        raise Conflict(_("There is no open offer on this booking."), code="no_offer")
    if booking.offer_expires_at and booking.offer_expires_at <= moment:
        raise Conflict(_("This offer has expired."), code="offer_expired")

    def accept(ticket: dict) -> int:
        if booking.amount_fen:
            fields = {"status": BookingStatus.PENDING_PAYMENT, "hold_expires_at": hold_until(moment)}
        else:
            fields = {"status": BookingStatus.CONFIRMED, **ticket}
        return Booking.objects.filter(pk=booking.pk, status=BookingStatus.OFFERED,
                                      offer_expires_at__gt=moment).update(offer_expires_at=None, **fields)

    if not with_new_ticket(accept):
        raise Conflict(_("This offer has expired."), code="offer_expired")
    booking.refresh_from_db()
    if booking.status == BookingStatus.PENDING_PAYMENT:
        payment_due.send(sender=Booking, booking=booking)
    notify(user=member.user, kind="waitlist_accepted", context=session_context(booking.session))
    return booking


def _give_back(booking: Booking, new_status: str, *, expired_only: bool) -> bool:
    filters = {"pk": booking.pk, "status": BookingStatus.OFFERED}
    if expired_only:
        filters["offer_expires_at__lte"] = now()
    with transaction.atomic():
        lock_session(booking.session_id)
        if not Booking.objects.filter(**filters).update(status=new_status, offer_expires_at=None):
            return False
        release_seats(booking.session_id, booking.seats)
        after_commit_offer(booking.session_id)
    return True


def offer_decline(*, member, booking_id: int) -> Booking:
    booking = booking_get(member=member, booking_id=booking_id)
    if booking.status != BookingStatus.OFFERED or not _give_back(booking, BookingStatus.DECLINED,
                                                                 expired_only=False):
        raise Conflict(_("There is no open offer on this booking."), code="no_offer")
    booking.refresh_from_db()
    return booking


def offer_expire(*, booking_id: int) -> bool:
    booking = Booking.objects.select_related("session__activity__facility", "member__user").filter(
        pk=booking_id).first()
    if booking is None or not _give_back(booking, BookingStatus.EXPIRED, expired_only=True):
        return False
    notify(user=booking.member.user, kind="waitlist_offer_expired", context=session_context(booking.session))
    return True


def offers_expire_due() -> int:
    """Beat task body: expire lapsed offers, then sweep sessions where a free seat meets a waiting member
    (a seat freed while a waitlist entry was being committed would otherwise wait for the next trigger)."""
    moment = now()
    ids = list(Booking.objects.filter(status=BookingStatus.OFFERED, offer_expires_at__lte=moment)
               .values_list("pk", flat=True)[:1000])
    expired = sum(offer_expire(booking_id=pk) for pk in ids)
    stranded = (Session.objects.filter(status=SessionStatus.SCHEDULED, start__gt=moment, booked__lt=F("capacity"),
                                       bookings__status=BookingStatus.WAITLISTED)
                .values_list("pk", flat=True).distinct()[:200])
    for session_id in stranded:
        waitlist_offer_next(session_id=session_id)
    return expired
