"""Staff scheduling: activities, sessions from a recurrence rule, capacity changes, moves, cancellations."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from facilities.models import Facility, Venue
from portal import constraints, inputs
from portal.errors import Conflict, NotFound
from portal.members import permissions
from portal.members.permissions import Action
from portal.notifications.services import notify

from .. import seat_hints
from ..models import ACTIVE_STATUSES, Activity, Booking, BookingStatus, MemberCategory, Session, SessionStatus
from ..rrules import rrule_error
from ..rules import LOCAL_TZ
from ..selectors import session_for_staff
from ._common import after_commit_offer, local, now, session_context

MAX_GENERATED_SESSIONS = 500
ACTIVITY_FIELDS = {"venue", "kind", "title", "category", "description", "price_fen", "members_only", "min_age",
                   "max_age", "member_categories", "max_seats_per_booking", "max_active_per_week",
                   "opens_hours_before", "closes_hours_before", "cancel_hours_before", "waitlist_enabled",
                   "ballot", "published"}


def _require(actor, obj) -> None:
    if not permissions.can(actor, Action.MANAGE_ACTIVITY, obj):
        raise NotFound()


def _check_categories(activity: Activity) -> None:
    categories = activity.member_categories
    if not isinstance(categories, list) or any(c not in MemberCategory.values for c in categories):
        raise ValidationError({"member_categories": [
            _("Choose from: %(choices)s.") % {"choices": ", ".join(MemberCategory.values)}]})


def _check_venue(venue: Venue | None, facility: Facility) -> None:
    if venue is not None and venue.facility_id != facility.pk:
        raise ValidationError({"venue": [_("This venue belongs to another facility.")]})


def activity_create(*, actor, facility: Facility, **data) -> Activity:
    _require(actor, facility)
    activity = Activity(facility=facility, **{k: v for k, v in data.items() if k in ACTIVITY_FIELDS})
    _check_venue(activity.venue, facility)
    _check_categories(activity)
    constraints.full_clean(activity)
    activity.save()
    return activity


# Switching one of these off strands the members it holds: their bookings are closed and they are told.
_STRANDED = {"waitlist_enabled": (BookingStatus.WAITLISTED, "waitlist_closed"),
             "ballot": (BookingStatus.INTEREST, "ballot_withdrawn")}


def activity_update(*, actor, activity: Activity, data: dict) -> Activity:
    """Change an activity. Switching its waitlist or its ballot off closes the waitlist places (or ballot
    registrations) on its upcoming sessions and tells those members, rather than leave them waiting."""
    _require(actor, activity)
    before = {flag: getattr(activity, flag) for flag in _STRANDED}
    for field, value in data.items():
        if field in ACTIVITY_FIELDS:
            setattr(activity, field, value)
    _check_venue(activity.venue, activity.facility)
    _check_categories(activity)
    constraints.full_clean(activity)
    with transaction.atomic():
        activity.save()
        for flag, (status, kind) in _STRANDED.items():
            if before[flag] and not getattr(activity, flag):
                _close_stranded(activity, status=status, kind=kind)
    return activity


def _close_stranded(activity: Activity, *, status: str, kind: str) -> int:
    moment = now()
    stranded = list(Booking.objects.select_for_update(of=("self",)).filter(
        session__activity=activity, session__status=SessionStatus.SCHEDULED, session__start__gt=moment,
        status=status).select_related("session__activity__facility", "member__user"))
    # Conditional on the status, so a booking that moved on meanwhile (an offer, a draw) is left alone.
    closed = Booking.objects.filter(pk__in=[b.pk for b in stranded], status=status).update(
        status=BookingStatus.CANCELLED, cancelled_at=moment)
    for booking in stranded:
        notify(user=booking.member.user, kind=kind, context=session_context(booking.session),
               link=f"/bookings/{booking.pk}/")
    return closed


def _occurrences(rule: str, dtstart: datetime, exdates: set[date]) -> list[datetime]:
    """Local wall-clock occurrences (DST-proof: the rule runs on naive local times), minus the exceptions."""
    try:
        parsed = rrulestr(rule, dtstart=dtstart.replace(tzinfo=None), forceset=True)
    except (ValueError, TypeError) as exc:
        raise ValidationError({"rrule": [rrule_error(rule)]}) from exc
    first = list(itertools.islice(iter(parsed), MAX_GENERATED_SESSIONS + 1))
    if len(first) > MAX_GENERATED_SESSIONS:
        raise ValidationError({"rrule": [_("This rule would create more than %(n)d sessions; add COUNT or UNTIL.")
                                         % {"n": MAX_GENERATED_SESSIONS}]})
    if first and first[-1].date() > inputs.LATEST:  # dateutil runs on to year 9999; dates stay in the window
        raise ValidationError({"rrule": [str(inputs.OUT_OF_RANGE % {"earliest": inputs.EARLIEST.isoformat(),
                                                                    "latest": inputs.LATEST.isoformat()})]})
    return [o.replace(tzinfo=LOCAL_TZ) for o in first if o.date() not in exdates]


def sessions_generate(*, actor, activity: Activity, rrule: str, first_start: datetime, duration_minutes: int,
                      capacity: int | None = None, venue: Venue | None = None,
                      exdates: list[date] | None = None) -> list[Session]:
    """Create the sessions of an RFC 5545 RRULE (e.g. "FREQ=WEEKLY;BYDAY=TU;COUNT=12"), all or nothing."""
    _require(actor, activity)
    venue = venue or activity.venue
    _check_venue(venue, activity.facility)
    if duration_minutes < 1 or duration_minutes > 24 * 60:
        raise ValidationError({"duration_minutes": [_("Enter a duration between 1 minute and 24 hours.")]})
    capacity = capacity if capacity is not None else (venue.capacity if venue else None)
    if capacity is None or capacity < 1:
        raise ValidationError({"capacity": [_("Enter a capacity of at least 1.")]})
    if venue is not None and capacity > venue.capacity:
        raise ValidationError({"capacity": [_("The venue holds at most %(n)d people.") % {"n": venue.capacity}]})
    if first_start.tzinfo is None:
        first_start = first_start.replace(tzinfo=LOCAL_TZ)
    starts = _occurrences(rrule, first_start.astimezone(LOCAL_TZ), set(exdates or []))
    if not starts:
        raise ValidationError({"rrule": [_("This rule creates no sessions.")]})
    if starts[0] <= now():
        raise ValidationError({"first_start": [_("Sessions must start in the future.")]})
    length = timedelta(minutes=duration_minutes)
    with transaction.atomic():
        return Session.objects.bulk_create([
            Session(activity=activity, venue=venue, start=s, end=s + length, capacity=capacity) for s in starts])


def session_change_capacity(*, actor, session_id: int, capacity: int) -> Session:
    session = session_for_staff(actor=actor, session_id=session_id)
    if capacity < 0:
        raise ValidationError({"capacity": [_("Capacity cannot be negative.")]})
    if session.venue is not None and capacity > session.venue.capacity:
        limit = session.venue.capacity
        raise ValidationError({"capacity": [_("The venue holds at most %(n)d people.") % {"n": limit}]})
    with transaction.atomic():
        # Conditional: a concurrent booking between our read and this write cannot be squeezed out.
        seat_hints.session_changed(session.pk)  # the booking rush's "full" hint
        if not Session.objects.filter(pk=session.pk, booked__lte=capacity).update(capacity=capacity):
            session.refresh_from_db(fields=["booked"])
            raise ValidationError({"capacity": [
                _("%(n)d seats are already booked; capacity cannot go below that.") % {"n": session.booked}]})
        after_commit_offer(session.pk)
    session.refresh_from_db()
    return session


def _holders(session: Session):
    return Booking.objects.filter(session=session, status__in=ACTIVE_STATUSES).select_related("member__user")


def session_move(*, actor, session_id: int, start: datetime, end: datetime, venue: Venue | None = None) -> Session:
    session = session_for_staff(actor=actor, session_id=session_id)
    if session.status != SessionStatus.SCHEDULED:
        raise Conflict(_("A cancelled session cannot be moved."), code="cancelled")
    if session.start <= now():
        raise Conflict(_("This session has already started; it cannot be moved."), code="started")
    if end <= start:
        raise ValidationError({"end": [_("The end must be after the start.")]})
    if start <= now():
        raise ValidationError({"start": [_("Sessions must start in the future.")]})
    venue = venue or session.venue
    _check_venue(venue, session.activity.facility)
    if venue is not None and session.capacity > venue.capacity:
        raise ValidationError({"venue": [_("This venue is too small for the session's capacity.")]})
    old_start = session.start
    with transaction.atomic():
        # Conditional: a cancellation committed since the read above wins; a cancelled session never moves.
        seat_hints.session_changed(session.pk)  # the booking rush's "full" hint
        if not Session.objects.filter(pk=session.pk, status=SessionStatus.SCHEDULED).update(
                start=start, end=end, venue=venue):
            raise Conflict(_("A cancelled session cannot be moved."), code="cancelled")
        session.refresh_from_db()
        for booking in _holders(session):
            notify(user=booking.member.user, kind="session_moved",
                   context={**session_context(session), "old_start": local(old_start)})
    return session


def session_cancel(*, actor, session_id: int, reason: str) -> Session:
    """Cancel a session: every booking is cancelled, paid ones marked for refund, members notified."""
    session = session_for_staff(actor=actor, session_id=session_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Tell members why the session is cancelled.")]})
    moment = now()
    with transaction.atomic():
        seat_hints.session_changed(session.pk)  # the booking rush's "full" hint
        if not Session.objects.filter(pk=session.pk, status=SessionStatus.SCHEDULED).update(
                status=SessionStatus.CANCELLED, cancel_reason=reason[:300]):
            raise Conflict(_("This session is already cancelled."), code="cancelled")
        holders = list(_holders(session).select_for_update(of=("self",)))
        ids = [b.pk for b in holders]
        Booking.objects.filter(pk__in=ids, paid_at__isnull=False).update(refund_status="pending")
        Booking.objects.filter(pk__in=ids).update(status=BookingStatus.CANCELLED, cancelled_at=moment)
        # Every seat-holding booking is now cancelled, so nothing holds seats any more.
        Session.objects.filter(pk=session.pk).update(booked=0)
        for booking in holders:
            notify(user=booking.member.user, kind="session_cancelled",
                   context={**session_context(session), "reason": reason})
    session.refresh_from_db()
    return session
