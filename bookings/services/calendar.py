"""Private iCalendar feeds of a member's bookings, and the day-before reminders."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from icalendar import Calendar, Event

from portal.errors import NotFound
from portal.notifications.services import notify

from ..models import Booking, BookingStatus, CalendarFeed, SessionStatus
from ._common import now, session_context

# The feed shows seats the member holds: confirmed, held (awaiting payment, or an offer to accept: TENTATIVE
# until settled) and late cancellations (CANCELLED). Waitlist places and ballot registrations are no seat.
FEED_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT, BookingStatus.OFFERED,
                 BookingStatus.LATE_CANCELLED)
HELD_STATUSES = (BookingStatus.PENDING_PAYMENT, BookingStatus.OFFERED)
# "Add to calendar" is offered for a confirmed seat only.
ICS_STATUSES = (BookingStatus.CONFIRMED,)


def calendar_feed_get_or_create(*, member) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(member=member).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(member=member, token=secrets.token_urlsafe(32))
    except IntegrityError:
        return CalendarFeed.objects.get(member=member)


def calendar_feed_rotate(*, member) -> CalendarFeed:
    """A new token: the old URL stops working at once (revocation)."""
    feed = calendar_feed_get_or_create(member=member)
    feed.token = secrets.token_urlsafe(32)
    feed.save(update_fields=["token", "created_at"])
    return feed


def calendar_feed_revoke(*, member) -> None:
    CalendarFeed.objects.filter(member=member).delete()


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//union-portal//bookings//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "工会活动预约")
    return cal


def _booking_event(booking: Booking) -> Event:
    """One booking as a VEVENT; the same UID in the feed and in a single download, so calendars merge them."""
    session = booking.session
    event = Event()
    event.add("uid", f"booking-{booking.pk}@union-portal")
    event.add("summary", session.activity.title)
    event.add("dtstart", session.start)
    event.add("dtend", session.end)
    event.add("dtstamp", booking.updated_at)
    place = session.activity.facility.name + (f" · {session.venue.name}" if session.venue else "")
    event.add("location", f"{place}，{session.activity.facility.address}")
    if session.status == SessionStatus.CANCELLED or booking.status == BookingStatus.LATE_CANCELLED:
        event.add("status", "CANCELLED")
    elif booking.status in HELD_STATUSES:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    return event


def calendar_render(*, token: str) -> bytes | None:
    feed = CalendarFeed.objects.select_related("member").filter(token=token).first()
    if feed is None:
        return None
    cal = _calendar()
    bookings = Booking.objects.filter(member=feed.member, status__in=FEED_STATUSES,
                                      session__start__gte=now() - timedelta(days=90)).select_related(
        "session__activity__facility", "session__venue").order_by("session__start")
    for booking in bookings:
        cal.add_component(_booking_event(booking))
    return cal.to_ical()


def booking_ical(*, member, booking_id: int) -> bytes:
    """One of the member's confirmed bookings as an .ics file ("add to calendar")."""
    booking = Booking.objects.filter(pk=booking_id, member=member, status__in=ICS_STATUSES).select_related(
        "session__activity__facility", "session__venue").first()
    if booking is None:
        raise NotFound()
    cal = _calendar()
    cal.add_component(_booking_event(booking))
    return cal.to_ical()


def reminders_send() -> int:
    """Remind each confirmed booking once, in the 24 hours before its session (hourly beat; retry-safe)."""
    moment = now()
    due = Booking.objects.filter(status=BookingStatus.CONFIRMED, reminded_at__isnull=True,
                                 session__status=SessionStatus.SCHEDULED, session__start__gt=moment,
                                 session__start__lte=moment + timedelta(hours=24)).select_related(
        "session__activity__facility", "member__user")[:2000]
    sent = 0
    for booking in due:
        with transaction.atomic():
            if not Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(reminded_at=moment):
                continue
            notify(user=booking.member.user, kind="booking_reminder", context=session_context(booking.session),
                   link=f"/bookings/{booking.pk}/")
            sent += 1
    return sent
