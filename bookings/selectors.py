"""Reads of sessions and bookings. The session list costs a constant number of queries per page."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from facilities.models import Facility
from portal.errors import NotFound, NotPermitted
from portal.inputs import earliest_moment
from portal.members import permissions
from portal.members.models import Member
from portal.members.permissions import Action

from . import rules
from .models import (
    ACTIVE_STATUSES,
    LIMITED_STATUSES,
    Activity,
    Booking,
    BookingStatus,
    Session,
    SessionStatus,
    Suspension,
    WalkIn,
)


def member_for(user) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("organisation").filter(user=user).first()


def session_list(*, facility: Facility | None = None, start: datetime | None = None, end: datetime | None = None,
                 category: str | None = None, activity_id: int | None = None) -> QuerySet[Session]:
    qs = Session.objects.filter(activity__published=True).select_related(
        "activity__facility__organisation", "venue").annotate(
        queue_waiting=Exists(Booking.objects.filter(session=OuterRef("pk"), status=BookingStatus.WAITLISTED)))
    if facility is not None:
        qs = qs.filter(activity__facility=facility)
    if activity_id is not None:
        qs = qs.filter(activity_id=activity_id)
    if category:
        qs = qs.filter(activity__category=category)
    qs = qs.filter(start__gte=start or timezone.now())
    if end is not None:
        qs = qs.filter(start__lt=end)
    return qs.order_by("start", "id")


def session_availability(*, member: Member | None, sessions: list[Session],
                         now: datetime | None = None) -> dict[int, rules.Verdict]:
    """The caller's verdict for each session on a page: at most three queries however long the page is."""
    now = now or timezone.now()
    active: dict[int, tuple[str, int | None]] = {}
    week_counts: dict[tuple[int, tuple[int, int]], int] = {}
    suspended = False
    if member is not None and sessions:
        ids = [s.pk for s in sessions]
        limited_activities = {s.activity_id for s in sessions if s.activity.max_active_per_week is not None}
        starts = [s.start for s in sessions]
        rows = with_queue_place(Booking.objects.filter(member=member, status__in=ACTIVE_STATUSES).filter(
            session__start__gte=min(starts) - timedelta(days=7), session__start__lte=max(starts) + timedelta(days=7),
        )).values_list("session_id", "session__activity_id", "session__start", "status", "queue_place")
        for session_id, activity_id, start, status, place in rows:
            if session_id in ids:
                active[session_id] = (status, place)
            if activity_id in limited_activities and status in LIMITED_STATUSES:
                key = (activity_id, rules.local_week(start))
                week_counts[key] = week_counts.get(key, 0) + 1
        suspended = Suspension.objects.filter(member=member, starts_at__lte=now, ends_at__gt=now).exists()
    return {
        s.pk: rules.evaluate(member=member, session=s, now=now, active_status=active.get(s.pk, (None,))[0],
                             queue_place=active.get(s.pk, (None, None))[1],
                             week_count=week_counts.get((s.activity_id, rules.local_week(s.start)), 0),
                             suspended=suspended, queue_waiting=getattr(s, "queue_waiting", False))
        for s in sessions
    }


def with_queue_place(qs: QuerySet[Booking]) -> QuerySet[Booking]:
    """Annotate `queue_place`: a waitlisted booking's place in its session's queue (1 = offered next), counted
    over the waitlisted bookings only, in the order the waitlist offers seats; None for other statuses."""
    ahead = (Booking.objects.filter(session=OuterRef("session"), status=BookingStatus.WAITLISTED)
             .filter(Q(queue_position__lt=OuterRef("queue_position"))
                     | Q(queue_position=OuterRef("queue_position"), pk__lt=OuterRef("pk")))
             .order_by().values("session").annotate(n=Count("pk")).values("n"))
    return qs.annotate(queue_place=Case(
        When(status=BookingStatus.WAITLISTED, then=Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1),
        default=Value(None), output_field=IntegerField()))


def booking_list(*, member: Member, status: str | None = None) -> QuerySet[Booking]:
    qs = with_queue_place(Booking.objects.filter(member=member).select_related(
        "session__activity__facility", "session__venue",
        "payment"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def booking_get(*, member: Member, booking_id: int) -> Booking:
    booking = booking_list(member=member).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound()
    return booking


def session_bookings_for_staff(*, actor, session_id: int) -> QuerySet[Booking]:
    session = Session.objects.select_related("activity__facility__organisation").filter(pk=session_id).first()
    if session is None or not permissions.can(actor, Action.VIEW_BOOKINGS, session):
        raise NotFound()
    return with_queue_place(Booking.objects.filter(session=session)).select_related(
        "member__user", "session__activity__facility", "payment").order_by(
        "status", "queue_position", "id")


# --- Staff console reads (moved out of frontend/views) ----------------------------------------------------------

def session_for_staff(*, actor, session_id: int, action: Action = Action.MANAGE_ACTIVITY) -> Session:
    """A session the actor may act on; anything else is 404 so staff cannot probe other unions."""
    session = Session.objects.select_related("activity__facility__organisation", "venue").filter(
        pk=session_id).first()
    if session is None or not permissions.can(actor, action, session):
        raise NotFound()
    return session


def session_search(*, facility: Facility | None = None, start: datetime | None = None, end: datetime | None = None,
                   category: str | None = None, activity_id: int | None = None, q: str = "") -> QuerySet[Session]:
    """session_list narrowed to sessions whose activity title or facility name or address holds `q`."""
    qs = session_list(facility=facility, start=start, end=end, category=category, activity_id=activity_id)
    if q:
        qs = qs.filter(Q(activity__title__icontains=q) | Q(activity__facility__name__icontains=q)
                       | Q(activity__facility__address__icontains=q))
    return qs


def session_get(*, session_id: int) -> Session:
    """One published session, read exactly as session_list reads them (same annotations, any date), so the
    detail's remaining seats, bookable and mode agree with the list's."""
    session = session_list(start=earliest_moment()).filter(pk=session_id).first()
    if session is None:
        raise NotFound()
    return session


def sessions_today_for_staff(*, actor, action: Action = Action.VIEW_BOOKINGS) -> QuerySet[Session]:
    """Today's sessions (Asia/Shanghai) in the actor's facilities, with check-ins so far (one query)."""
    start = datetime.combine(timezone.localdate(), time.min, tzinfo=rules.LOCAL_TZ)
    qs = Session.objects.filter(start__gte=start, start__lt=start + timedelta(days=1)).select_related(
        "activity__facility", "venue").annotate(
        checked_in=Count("bookings", filter=Q(bookings__checked_in_at__isnull=False)),
        confirmed=Count("bookings", filter=Q(bookings__status=BookingStatus.CONFIRMED)))
    return permissions.scope(actor, action, qs, via="activity__facility__organisation").order_by("start", "id")


def session_week_for_staff(*, actor, start: datetime) -> list[Session]:
    """Seven days of sessions from `start` across the actor's facilities."""
    qs = Session.objects.filter(start__gte=start, start__lt=start + timedelta(days=7)).select_related(
        "activity__facility", "venue")
    return list(permissions.scope(actor, Action.MANAGE_ACTIVITY, qs, via="activity__facility__organisation")
                .order_by("start", "id"))


def activity_overview_for_staff(*, actor) -> QuerySet[Activity]:
    """The console's activity list with the number of upcoming scheduled sessions of each."""
    return activity_list_for_staff(actor=actor).annotate(upcoming=Count("sessions", filter=Q(
        sessions__start__gte=timezone.now(), sessions__status=SessionStatus.SCHEDULED))).order_by(
        "facility__name", "title", "id")


def activity_get_for_staff(*, actor, activity_id: int) -> Activity:
    activity = activity_list_for_staff(actor=actor).filter(pk=activity_id).first()
    if activity is None:
        raise NotFound()
    return activity


def activity_recent_sessions(*, activity: Activity, limit: int = 100) -> list[Session]:
    """The activity's sessions from a week ago on, for its console page."""
    return list(activity.sessions.filter(end__gte=timezone.now() - timedelta(days=7)).select_related("venue")
                .order_by("start")[:limit])


def activity_waiting_counts(*, activity: Activity) -> dict[str, int]:
    """Members waiting on this activity's upcoming sessions: on a waitlist, or registered for a ballot.
    Switching the waitlist or the ballot off closes those bookings (bookings.services.activity_update)."""
    counts = Booking.objects.filter(session__activity=activity, session__start__gt=timezone.now(),
                                    session__status=SessionStatus.SCHEDULED).aggregate(
        waitlisted=Count("pk", filter=Q(status=BookingStatus.WAITLISTED)),
        interest=Count("pk", filter=Q(status=BookingStatus.INTEREST)))
    return {"waitlisted": counts["waitlisted"] or 0, "interest": counts["interest"] or 0}


def session_holder_counts(*, bookings) -> dict[str, int]:
    """Who a session's cancellation reaches, told apart: members with a seat (confirmed, awaiting payment or
    offered), members on the waitlist, and members registered for the ballot."""
    seated = {BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT, BookingStatus.OFFERED}
    counts = {"booked": 0, "waitlisted": 0, "interest": 0}
    for booking in bookings:
        if booking.status in seated:
            counts["booked"] += 1
        elif booking.status == BookingStatus.WAITLISTED:
            counts["waitlisted"] += 1
        elif booking.status == BookingStatus.INTEREST:
            counts["interest"] += 1
    return counts


def queue_place(*, booking: Booking) -> int | None:
    """One booking's place in its session's waitlist (see with_queue_place); None unless waitlisted."""
    if booking.status != BookingStatus.WAITLISTED:
        return None
    return with_queue_place(Booking.objects.filter(pk=booking.pk)).values_list("queue_place", flat=True).first()


# --- Member calendar ------------------------------------------------------------------------------------------

def next_session_start(*, facility: Facility, after: datetime | None = None) -> datetime | None:
    """When the facility's next published session starts (the calendar opens on that week)."""
    return session_list(facility=facility, start=after).filter(status=SessionStatus.SCHEDULED).values_list(
        "start", flat=True).first()


def _staff_filter_target(actor, action: Action, target) -> None:
    """A list filter naming an object outside the actor's subtrees is refused (403), not silently emptied."""
    if target is not None and not permissions.can(actor, action, target):
        raise NotPermitted()


def activity_list_for_staff(*, actor, facility: Facility | None = None) -> QuerySet[Activity]:
    _staff_filter_target(actor, Action.MANAGE_ACTIVITY, facility)
    qs = permissions.scope(actor, Action.MANAGE_ACTIVITY, Activity.objects.select_related("facility", "venue"),
                           via="facility__organisation")
    if facility is not None:
        qs = qs.filter(facility=facility)
    return qs.order_by("facility_id", "title", "id")


def session_list_for_staff(*, actor, activity: Activity | None = None) -> QuerySet[Session]:
    _staff_filter_target(actor, Action.MANAGE_ACTIVITY, activity)
    qs = permissions.scope(actor, Action.MANAGE_ACTIVITY, Session.objects.all(), via="activity__facility__organisation")
    if activity is not None:
        qs = qs.filter(activity=activity)
    return qs.order_by("start", "id")


def walkin_list_for_staff(*, actor) -> QuerySet[WalkIn]:
    return permissions.scope(actor, Action.CHECK_IN, WalkIn.objects.all(),
                             via="facility__organisation").order_by("-date", "-id")
