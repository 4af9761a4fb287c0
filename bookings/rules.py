"""Pure booking rules shared by the session list (why not bookable) and the booking service (refusals).

No queries here: callers pass in what the rules need, so the list stays a constant number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from facilities.models import FacilityStatus

from .models import Activity, BookingStatus, MemberCategory, Session, SessionStatus

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

REASONS = {
    "cancelled": _("This session has been cancelled."),
    "past": _("This session has already started."),
    "facility_closed": _("The facility is closed for renovation."),
    "unpublished": _("This activity is not open for booking."),
    "not_open": _("Booking has not opened yet."),
    "closed": _("Booking has closed for this session."),
    "full": _("This session is full."),
    "login_required": _("Sign in to book."),
    "no_member": _("Only union members can book."),
    "not_verified": _("Your membership must be verified before you can book."),
    "not_eligible": _("This activity is not open to you."),
    "suspended": _("Online booking is suspended for your account."),
    "already_booked": _("You already have a booking for this session."),
    "on_waitlist": _("You are on the waitlist for this session."),
    "registered": _("You are registered for the ballot of this session."),
    "limit_reached": _("You have reached the weekly booking limit for this activity."),
}
# Reasons the member cannot change by themselves: 403 rather than 409 when booking anyway.
FORBIDDEN_REASONS = {"no_member", "not_verified", "not_eligible", "suspended", "login_required"}
# The member's own active booking blocks a second one; the reason says which kind it is.
HELD_REASONS = {BookingStatus.WAITLISTED: "on_waitlist", BookingStatus.INTEREST: "registered"}


@dataclass(frozen=True)
class Verdict:
    bookable: bool
    reason: str = ""
    mode: str = "book"  # book | ballot | waitlist
    opens_at: datetime | None = None
    # Places a new booker could take now; None where the count means nothing (cancelled, past, closed).
    places: int | None = None
    # The member's place in the waitlist queue (1 = next), when the reason is "on_waitlist".
    queue_place: int | None = None

    @property
    def message(self) -> str:
        if self.reason == "on_waitlist" and self.queue_place:
            return str(_("You are on the waitlist for this session: number %(place)d in the queue.")
                       % {"place": self.queue_place})
        return str(REASONS.get(self.reason, ""))


def booking_window(activity: Activity, session: Session) -> tuple[datetime, datetime]:
    return (session.start - timedelta(hours=activity.opens_hours_before),
            session.start - timedelta(hours=activity.closes_hours_before))


def cancel_deadline(activity: Activity, session: Session) -> datetime:
    return session.start - timedelta(hours=activity.cancel_hours_before)


def local_week(moment: datetime) -> tuple[int, int]:
    iso = moment.astimezone(LOCAL_TZ).isocalendar()
    return iso.year, iso.week


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def member_in_category(member, category: str) -> bool:
    if category == MemberCategory.MODEL_WORKER:
        return member.is_model_worker
    return bool(getattr(member, category, False))


def audience_ok(member, activity: Activity, session: Session) -> bool:
    if activity.members_only and not member.organisation.path.startswith(activity.facility.organisation.path):
        return False
    if activity.min_age is not None or activity.max_age is not None:
        if member.birth_date is None:
            return False
        age = age_on(member.birth_date, session.start.astimezone(LOCAL_TZ).date())
        if activity.min_age is not None and age < activity.min_age:
            return False
        if activity.max_age is not None and age > activity.max_age:
            return False
    if activity.member_categories:
        return any(member_in_category(member, c) for c in activity.member_categories)
    return True


def offer_window(session: Session, moment: datetime) -> timedelta | None:
    """The configured window, shortened to half the time left before the start; None when too near."""
    window = timedelta(minutes=settings.WAITLIST_OFFER_MINUTES)
    left = session.start - moment
    window = min(window, left / 2)
    if window < timedelta(minutes=settings.WAITLIST_OFFER_MIN_MINUTES):
        return None
    return window


def waitlist_goes_first(session: Session, now: datetime, *, queue_waiting: bool) -> bool:
    """Seats freed while members wait are theirs first, unless it is too late to offer them."""
    return queue_waiting and session.activity.waitlist_enabled and offer_window(session, now) is not None


def places_open(session: Session, now: datetime, *, queue_waiting: bool) -> int | None:
    """The places a new booker could take now, by the rule the booking service applies: none while freed
    seats belong to the waitlist; no count at all once booking has closed (a free seat there is no offer)."""
    if session.status == SessionStatus.CANCELLED or now >= booking_window(session.activity, session)[1]:
        return None
    if waitlist_goes_first(session, now, queue_waiting=queue_waiting):
        return 0
    return session.remaining


def evaluate(*, member, session: Session, now: datetime, has_active_booking: bool = False,
             active_status: str | None = None, queue_place: int | None = None,
             week_count: int = 0, suspended: bool = False, check_seats: bool = True,
             queue_waiting: bool = False) -> Verdict:
    """Can `member` (None when anonymous) book `session` now? The first failing rule is the reason.

    `active_status`: the status of the member's active booking of this session, if any (implies
    `has_active_booking`); `queue_place` its place in the waitlist queue."""
    activity = session.activity
    opens_at, closes_at = booking_window(activity, session)
    places = places_open(session, now, queue_waiting=queue_waiting)

    def no(reason: str) -> Verdict:
        return Verdict(False, reason, opens_at=opens_at, places=places,
                       queue_place=queue_place if reason == "on_waitlist" else None)

    if session.status == SessionStatus.CANCELLED:
        return no("cancelled")
    if session.start <= now:
        return no("past")
    if not activity.published:
        return no("unpublished")
    if activity.facility.status != FacilityStatus.OPEN:
        return no("facility_closed")
    if now < opens_at:
        return no("not_open")
    if now >= closes_at:
        return no("closed")
    if member is None:
        return no("login_required")
    if not member.is_verified:
        return no("not_verified")
    if not audience_ok(member, activity, session):
        return no("not_eligible")
    if suspended:
        return no("suspended")
    if has_active_booking or active_status:
        return no(HELD_REASONS.get(active_status, "already_booked"))
    if activity.max_active_per_week is not None and week_count >= activity.max_active_per_week:
        return no("limit_reached")
    if activity.ballot:
        return Verdict(True, mode="ballot", opens_at=opens_at, places=places)
    if check_seats and (session.booked >= session.capacity
                        or waitlist_goes_first(session, now, queue_waiting=queue_waiting)):
        if activity.waitlist_enabled:
            return Verdict(True, "full", mode="waitlist", opens_at=opens_at, places=0)
        return no("full")
    return Verdict(True, opens_at=opens_at, places=places)


# Booking windows and cancellation deadlines reach at most a year before a session: the API and the console
# refuse more, so a window computed from them always stays within the calendar (no OverflowError on any page).
MAX_HOURS_BEFORE = 366 * 24
HOURS_BEFORE_FIELDS = ("opens_hours_before", "closes_hours_before", "cancel_hours_before")
