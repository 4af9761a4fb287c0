"""Booking a session, cancelling, payment completion and expiry of unpaid holds."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from portal.constraints import constraint_name, integrity_error
from portal.errors import Conflict, NotPermitted
from portal.notifications.services import notify

from .. import rules, seat_hints, selectors
from ..models import (
    ACTIVE_STATUSES,
    LIMITED_STATUSES,
    Booking,
    BookingStatus,
    RefundStatus,
    Session,
    SessionStatus,
    Suspension,
)
from ..signals import payment_due
from ..tickets import new_ticket
from ._common import (
    TICKET_ATTEMPTS,
    TICKET_CONSTRAINTS,
    after_commit_offer,
    hold_until,
    lock_session,
    now,
    release_seats,
    session_context,
    take_seats,
    with_new_ticket,
)


def _week_count(member, session: Session) -> int:
    week = rules.local_week(session.start)
    starts = Booking.objects.filter(member=member, session__activity_id=session.activity_id,
                                    status__in=LIMITED_STATUSES).values_list("session__start", flat=True)
    return sum(1 for s in starts if rules.local_week(s) == week)


def active_suspension(member, moment) -> Suspension | None:
    return Suspension.objects.filter(member=member, starts_at__lte=moment, ends_at__gt=moment).order_by(
        "-ends_at").first()


def _refuse(verdict: rules.Verdict, suspension: Suspension | None = None) -> None:
    message = verdict.message
    if verdict.reason == "suspended" and suspension is not None:
        message = _("Online booking is suspended until %(end)s: %(reason)s") % {
            "end": suspension.ends_at.astimezone(rules.LOCAL_TZ).strftime("%Y-%m-%d"),
            "reason": suspension.reason}
    if verdict.reason in rules.FORBIDDEN_REASONS:
        raise NotPermitted(message, code=verdict.reason)
    raise Conflict(message, code=verdict.reason)


def _seat_status(session: Session, ticket: dict) -> dict:
    """Fields of a booking that has just got its seats: confirmed when free, held for payment otherwise."""
    if session.activity.price_fen:
        return {"status": BookingStatus.PENDING_PAYMENT, "hold_expires_at": hold_until(now())}
    return {"status": BookingStatus.CONFIRMED, **ticket}


def _integrity_refusal(exc: IntegrityError, name: str | None) -> Exception:
    """What a constraint the database enforced means for the member, told apart by the constraint's name."""
    if name == "uniq_active_booking_per_member_session":
        # A concurrent second booking by the same member; the seat update rolled back with it.
        return Conflict(rules.REASONS["already_booked"], code="already_booked")
    if name == "session_booked_within_capacity":
        return Conflict(rules.REASONS["full"], code="full")
    return integrity_error(exc) or exc


def _check_seats(activity, seats: int) -> None:
    if seats < 1:
        raise ValidationError({"seats": [_("Book at least one seat.")]})
    if seats > activity.max_seats_per_booking:
        limit = activity.max_seats_per_booking
        raise ValidationError({"seats": [_("At most %(n)d seats per booking.") % {"n": limit}]})


def _full_detail(activity, *, queue_first: bool) -> str:
    if queue_first:
        return _("Members on the waitlist get freed seats first. You can join the waitlist.")
    if activity.waitlist_enabled:
        return _("This session is full. You can join the waitlist.")
    return _("This session is full.")


def _refuse_from_hint(*, member, session: Session, seats: int, waitlist: bool, moment) -> None:
    """The booking rush's fast answer (saves the 1.5 ms the annotated session query costs to compile): with the
    session as the database path last read it full (seat_hints), give the same answer in the same order, the
    member's own blockers read live in two small queries. Returns (so the database path runs) wherever the
    answer could differ: room for the seats, joining the waitlist, a ballot, a queue place to tell."""
    activity = session.activity
    _check_seats(activity, seats)
    if activity.ballot:
        return
    status = Booking.objects.filter(session_id=session.pk, member=member, status__in=ACTIVE_STATUSES).values_list(
        "status", flat=True).first()
    if status == BookingStatus.WAITLISTED:
        return
    suspended = Suspension.objects.filter(member=member, starts_at__lte=moment, ends_at__gt=moment).exists()
    verdict = rules.evaluate(
        member=member, session=session, now=moment, suspended=suspended, active_status=status,
        week_count=_week_count(member, session) if activity.max_active_per_week is not None else 0,
        check_seats=False)
    if not verdict.bookable:
        _refuse(verdict, active_suspension(member, moment) if suspended else None)
    queue_first = rules.waitlist_goes_first(session, moment, queue_waiting=session.queue_waiting)
    if (not queue_first and session.booked + seats <= session.capacity) or (waitlist and activity.waitlist_enabled):
        return
    raise Conflict(_full_detail(activity, queue_first=queue_first), code="full")


def booking_create(*, member, session_id: int, seats: int = 1, waitlist: bool = False,
                   channel: str = "online") -> Booking:
    """Book `seats` on a session for `member`. Seats are taken only by a conditional UPDATE."""
    moment = now()
    looked_up = seat_hints.lookup(session_id=session_id)
    if looked_up.session is not None:
        _refuse_from_hint(member=member, session=looked_up.session, seats=seats, waitlist=waitlist, moment=moment)
    mine = Booking.objects.filter(session=OuterRef("pk"), member=member, status__in=ACTIVE_STATUSES)
    # One query for the session and the member's two blockers (an active booking, a suspension).
    session = Session.objects.select_related("activity__facility__organisation").annotate(
        member_booking_status=Subquery(mine.values("status")[:1]),
        member_suspended=Exists(Suspension.objects.filter(member=member, starts_at__lte=moment, ends_at__gt=moment)),
        queue_waiting=Exists(Booking.objects.filter(session=OuterRef("pk"), status=BookingStatus.WAITLISTED)),
    ).filter(pk=session_id).first()
    if session is None:
        raise ValidationError({"session": [_("This session does not exist.")]})
    activity = session.activity
    _check_seats(activity, seats)
    place = None
    if session.member_booking_status == BookingStatus.WAITLISTED:
        place = selectors.queue_place(booking=Booking.objects.get(
            session=session, member=member, status=BookingStatus.WAITLISTED))
    verdict = rules.evaluate(
        member=member, session=session, now=moment, suspended=session.member_suspended,
        active_status=session.member_booking_status, queue_place=place,
        week_count=_week_count(member, session) if activity.max_active_per_week is not None else 0,
        check_seats=False)
    if not verdict.bookable:
        _refuse(verdict, active_suspension(member, moment) if session.member_suspended else None)

    amount = activity.price_fen * seats
    for attempt in range(TICKET_ATTEMPTS):
        try:
            with transaction.atomic():
                return _book(member=member, session=session, seats=seats, waitlist=waitlist, channel=channel,
                             amount=amount, moment=moment, looked_up=looked_up)
        except IntegrityError as exc:
            name = constraint_name(exc)
            if name in TICKET_CONSTRAINTS and attempt + 1 < TICKET_ATTEMPTS:
                continue  # the drawn ticket code is taken: everything rolled back; draw again
            raise _integrity_refusal(exc, name) from None
    raise AssertionError("unreachable")


def _book(*, member, session: Session, seats: int, waitlist: bool, channel: str, amount: int,
          moment, looked_up: seat_hints.Lookup) -> Booking:
    activity = session.activity
    if activity.ballot:
        return _register_interest(member=member, session=session, seats=seats, amount=amount, channel=channel)
    # A session already seen full skips the UPDATE (a refusal may use a stale read; a seat never does).
    # Seats freed while members wait go to the waitlist first, unless it is too late to offer them.
    queue_first = rules.waitlist_goes_first(session, moment, queue_waiting=session.queue_waiting)
    if (not queue_first and session.booked + seats <= session.capacity
            and take_seats(session.pk, seats)):
        booking = Booking.objects.create(session=session, member=member, seats=seats, channel=channel,
                                         amount_fen=amount, **_seat_status(session, new_ticket()))
        if booking.status == BookingStatus.PENDING_PAYMENT:
            payment_due.send(sender=Booking, booking=booking)
        return booking
    if queue_first or session.booked + seats > session.capacity:
        # Read full: the next members' refusals can skip the query above (services/_refuse_from_hint).
        seat_hints.remember_full(looked_up=looked_up, session=session)
    if not (waitlist and activity.waitlist_enabled):
        raise Conflict(_full_detail(activity, queue_first=queue_first), code="full")
    # Lock the row so a concurrent cancellation of the session cannot slip between check and insert.
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.status != SessionStatus.SCHEDULED:
        raise Conflict(rules.REASONS["cancelled"], code="cancelled")
    booking = Booking.objects.create(session=session, member=member, seats=seats, channel=channel,
                                     amount_fen=amount, status=BookingStatus.WAITLISTED)
    Booking.objects.filter(pk=booking.pk).update(queue_position=booking.pk)
    booking.queue_position = booking.pk
    booking.queue_place = selectors.queue_place(booking=booking)
    return booking


def _register_interest(*, member, session: Session, seats: int, amount: int, channel: str) -> Booking:
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.status != SessionStatus.SCHEDULED:
        raise Conflict(rules.REASONS["cancelled"], code="cancelled")
    if locked.ballot_drawn_at is not None:
        raise Conflict(rules.REASONS["closed"], code="closed")
    return Booking.objects.create(session=session, member=member, seats=seats, channel=channel, amount_fen=amount,
                                  status=BookingStatus.INTEREST)


def booking_cancel(*, member, booking_id: int) -> Booking:
    """Cancel before the deadline frees the seats at once; after it the seat stays and it counts as late."""
    booking = selectors.booking_get(member=member, booking_id=booking_id)
    session = booking.session
    moment = now()
    if booking.status not in ACTIVE_STATUSES or booking.status == BookingStatus.LATE_CANCELLED:
        raise Conflict(_("This booking is already cancelled or closed."), code="not_active")
    if session.start <= moment:
        raise Conflict(_("The session has already started; it can no longer be cancelled."), code="started")
    old = booking.status
    late = old == BookingStatus.CONFIRMED and moment >= rules.cancel_deadline(session.activity, session)
    fields = {"cancelled_at": moment}
    if late:
        fields["status"] = BookingStatus.LATE_CANCELLED
    else:
        fields["status"] = BookingStatus.CANCELLED
    if booking.paid_at is not None:
        # The payments service refunds it by the policy: in full before the deadline, a percentage after it.
        fields["refund_status"] = RefundStatus.PENDING
    with transaction.atomic():
        lock_session(session.pk)
        if not Booking.objects.filter(pk=booking.pk, status=old).update(**fields):
            raise Conflict(_("This booking changed meanwhile; reload and try again."), code="changed")
        if old in (BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT, BookingStatus.OFFERED) and not late:
            release_seats(session.pk, booking.seats)
            after_commit_offer(session.pk)
    booking.refresh_from_db()
    return booking


def booking_mark_paid(*, booking_id: int) -> Booking:
    """Called by the payments service once the member has paid: the held seat becomes a confirmed ticket."""
    moment = now()
    updated = with_new_ticket(lambda ticket: Booking.objects.filter(
        pk=booking_id, status=BookingStatus.PENDING_PAYMENT).update(
        status=BookingStatus.CONFIRMED, paid_at=moment, hold_expires_at=None, **ticket))
    booking = Booking.objects.get(pk=booking_id)
    if not updated and booking.status != BookingStatus.CONFIRMED:
        raise Conflict(_("The seat hold has expired; the payment will be refunded."), code="hold_expired")
    return booking


def booking_paid_late(*, booking_id: int) -> bool:
    """A payment arrived after the hold ended: take the seat again if it is still free (True), else False.

    The payments service refunds when this says False; a booking already confirmed answers True (retry-safe).
    """
    moment = now()
    booking = Booking.objects.select_related("session").filter(pk=booking_id).first()
    if booking is None:
        return False
    if booking.status == BookingStatus.CONFIRMED and booking.paid_at is not None:
        return True
    if booking.status != BookingStatus.EXPIRED or booking.session.start <= moment:
        return False
    try:
        with transaction.atomic():
            lock_session(booking.session_id)
            if not take_seats(booking.session_id, booking.seats):
                return False
            # The partial unique index refuses this when the member has booked the session again meanwhile.
            return bool(with_new_ticket(lambda ticket: Booking.objects.filter(
                pk=booking_id, status=BookingStatus.EXPIRED).update(
                status=BookingStatus.CONFIRMED, paid_at=moment, hold_expires_at=None, **ticket)))
    except IntegrityError:
        return False


def hold_expire(*, booking_id: int, now_due: bool = False) -> bool:
    """Release one expired unpaid hold; False when it was paid, cancelled or already released (retry-safe).

    `now_due` releases it before its time (the payment was cancelled at Stripe, so it can no longer arrive).
    """
    moment = now()
    with transaction.atomic():
        booking = Booking.objects.filter(pk=booking_id).first()
        if booking is None:
            return False
        lock_session(booking.session_id)
        due = {} if now_due else {"hold_expires_at__lte": moment}
        if not Booking.objects.filter(pk=booking_id, status=BookingStatus.PENDING_PAYMENT,
                                      **due).update(status=BookingStatus.EXPIRED):
            return False
        release_seats(booking.session_id, booking.seats)
        after_commit_offer(booking.session_id)
    notify(user=booking.member.user, kind="booking_hold_expired", context=session_context(booking.session))
    return True


def holds_expire_due() -> int:
    ids = list(Booking.objects.filter(status=BookingStatus.PENDING_PAYMENT, hold_expires_at__lte=now())
               .values_list("pk", flat=True)[:1000])
    return sum(hold_expire(booking_id=pk) for pk in ids)
