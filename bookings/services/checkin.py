"""Door check-in by ticket code (scanned or typed short form), walk-in head counts, no-show marking and
booking suspensions."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from facilities.models import Facility, Venue
from portal import constraints
from portal.errors import Conflict, NotFound, NotPermitted
from portal.members import permissions
from portal.members.permissions import Action
from portal.notifications.services import notify
from portal.stats.models import Channel, ServiceKind
from portal.stats.services import service_record_add

from ..models import (
    WALKIN_MAX_PERSONS,
    Attendance,
    Booking,
    BookingStatus,
    Session,
    SessionStatus,
    Suspension,
    WalkIn,
)
from ..rules import LOCAL_TZ
from ..tickets import normalise_short
from ._common import local, local_time, now

# Door check-in is accepted from half a day before the start until a few hours after the end.
CHECKIN_OPENS_BEFORE = timedelta(hours=12)
CHECKIN_CLOSES_AFTER = timedelta(hours=6)


def _ticket(code: str) -> Booking | None:
    """The booking a scanned QR (the full code, exact) or a typed short code (any case, spaces, dashes) names."""
    tickets = Booking.objects.select_related("session__activity__facility__organisation", "member")
    booking = tickets.filter(ticket_code=code).first()
    short = normalise_short(code) if booking is None else None
    return tickets.filter(ticket_short=short).first() if short else booking


def _refuse_invalid(booking: Booking) -> None:
    if booking.checked_in_at is not None:
        raise Conflict(_("Already checked in at %(time)s.") % {"time": local_time(booking.checked_in_at)},
                       code="already_checked_in")
    if booking.status != BookingStatus.CONFIRMED or booking.session.status != SessionStatus.SCHEDULED:
        raise Conflict(_("This ticket is not valid: the booking is %(status)s.")
                       % {"status": booking.get_status_display()}, code="not_confirmed")


def checkin(*, actor, code: str) -> Booking:
    """Mark a confirmed ticket as checked in, once, and count the visit in the service ledger."""
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": [_("Scan or type the ticket code.")]})
    booking = _ticket(code)
    if booking is None:
        raise NotFound(_("No ticket has this code."))
    facility = booking.session.activity.facility
    if not permissions.can(actor, Action.CHECK_IN, facility):
        raise NotPermitted(_("This ticket is for another facility (%(facility)s); it cannot be checked in here.")
                           % {"facility": facility.name}, code="wrong_facility")
    _refuse_invalid(booking)
    moment = now()
    session = booking.session
    if not (session.start - CHECKIN_OPENS_BEFORE <= moment <= session.end + CHECKIN_CLOSES_AFTER):
        raise Conflict(_("This ticket is for the session on %(start)s; it can only be checked in on the day.")
                       % {"start": local(session.start)}, code="wrong_day")
    with transaction.atomic():
        # Lock the booking and judge it again: a cancellation (or a second scan) committed since the read above
        # must not be checked in and counted. Only the booking row is locked (`of`), never the session.
        booking = Booking.objects.select_for_update(of=("self",)).select_related(
            "session__activity__facility__organisation", "member").get(pk=booking.pk)
        _refuse_invalid(booking)
        Booking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED, checked_in_at__isnull=True).update(
            checked_in_at=moment, checked_in_by=actor, attendance=Attendance.ATTENDED)
        booking.refresh_from_db()
        service_record_add(source=booking, day=booking.session.start.astimezone(LOCAL_TZ).date(),
                           organisation=facility.organisation, kind=ServiceKind.ACTIVITY, channel=Channel.ONLINE,
                           facility=facility, member=booking.member, persons=booking.seats)
    return booking


def walkin_record(*, actor, facility: Facility, persons: int, day: date | None = None, venue: Venue | None = None,
                  session: Session | None = None, note: str = "") -> WalkIn:
    """A head count served on site without bookings; counted as offline person-times."""
    if not permissions.can(actor, Action.CHECK_IN, facility):
        raise NotFound()
    if persons is None or persons < 1:
        raise ValidationError({"persons": [_("Count at least one person.")]})
    if venue is not None and venue.facility_id != facility.pk:
        raise ValidationError({"venue": [_("This venue belongs to another facility.")]})
    if session is not None and session.activity.facility_id != facility.pk:
        raise ValidationError({"session": [_("This session belongs to another facility.")]})
    room = venue or (session.venue if session else None)
    limit = min(room.capacity, WALKIN_MAX_PERSONS) if room is not None else WALKIN_MAX_PERSONS
    if persons > limit:
        raise ValidationError({"persons": [
            _("%(place)s holds at most %(n)d people.") % {"place": room.name, "n": limit} if room is not None
            else _("Count at most %(n)d people in one entry.") % {"n": limit}]})
    today = now().astimezone(LOCAL_TZ).date()
    day = day or (session.start.astimezone(LOCAL_TZ).date() if session else today)
    if day > today:
        raise ValidationError({"date": [_("Head counts cannot be recorded for future days.")]})
    walkin = WalkIn(facility=facility, venue=venue, session=session, date=day, persons=persons, note=note,
                    recorded_by=actor)
    constraints.full_clean(walkin)  # the date's lower bound, the note's length
    with transaction.atomic():
        walkin.save()
        service_record_add(source=walkin, day=day, organisation=facility.organisation,
                           kind=ServiceKind.ACTIVITY if session else ServiceKind.WALK_IN, channel=Channel.OFFLINE,
                           facility=facility, persons=persons)
    return walkin


def no_shows_mark(*, session_id: int) -> int:
    """After a session ends: confirmed, unchecked bookings become no-shows; repeat offenders are suspended."""
    moment = now()
    session = Session.objects.select_related("activity").filter(pk=session_id).first()
    if session is None or session.end > moment or session.no_shows_marked_at is not None:
        return 0
    with transaction.atomic():
        if not Session.objects.filter(pk=session_id, no_shows_marked_at__isnull=True).update(
                no_shows_marked_at=moment):
            return 0
        members = list(Booking.objects.filter(session_id=session_id, status=BookingStatus.CONFIRMED,
                                              checked_in_at__isnull=True).values_list("member_id", flat=True))
        Booking.objects.filter(session_id=session_id, status=BookingStatus.CONFIRMED,
                               checked_in_at__isnull=True).update(attendance=Attendance.NO_SHOW)
        for member_id in members:
            _maybe_suspend(member_id=member_id, moment=moment)
    return len(members)


def _maybe_suspend(*, member_id: int, moment) -> Suspension | None:
    since = moment - timedelta(days=settings.NO_SHOW_WINDOW_DAYS)
    count = Booking.objects.filter(member_id=member_id, attendance=Attendance.NO_SHOW,
                                   session__start__gte=since).count()
    if count < settings.NO_SHOW_LIMIT:
        return None
    if Suspension.objects.filter(member_id=member_id, ends_at__gt=moment).exists():
        return None
    ends = moment + timedelta(days=settings.NO_SHOW_SUSPENSION_DAYS)
    reason = _("%(n)d no-shows in the last %(days)d days") % {"n": count, "days": settings.NO_SHOW_WINDOW_DAYS}
    suspension = Suspension.objects.create(member_id=member_id, starts_at=moment, ends_at=ends, reason=reason)
    booking = Booking.objects.select_related("member__user").filter(member_id=member_id).first()
    notify(user=booking.member.user, kind="booking_suspended",
           context={"reason": reason, "end": ends.astimezone(LOCAL_TZ).strftime("%Y-%m-%d")})
    return suspension


def sessions_needing_no_shows() -> list[int]:
    moment = now()
    return list(Session.objects.filter(end__lte=moment, end__gte=moment - timedelta(days=7),
                                       no_shows_marked_at__isnull=True, status=SessionStatus.SCHEDULED)
                .values_list("pk", flat=True)[:500])

