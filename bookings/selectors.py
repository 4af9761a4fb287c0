"""Reads of sessions and bookings. The session list costs a constant number of queries per page."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from facilities.models import Facility
from portal.errors import NotFound, NotPermitted
from portal.inputs import earliest_moment
from portal.members import permissions
from portal.members.models import Member
from portal.members.permissions import Action

from . import rules
from .models import ACTIVE_STATUSES, LIMITED_STATUSES, Activity, Booking, BookingStatus, Session, Suspension, WalkIn


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
    active: set[int] = set()
    week_counts: dict[tuple[int, tuple[int, int]], int] = {}
    suspended = False
    if member is not None and sessions:
        ids = [s.pk for s in sessions]
        limited_activities = {s.activity_id for s in sessions if s.activity.max_active_per_week is not None}
        starts = [s.start for s in sessions]
        rows = Booking.objects.filter(member=member, status__in=ACTIVE_STATUSES).filter(
            session__start__gte=min(starts) - timedelta(days=7), session__start__lte=max(starts) + timedelta(days=7),
        ).values_list("session_id", "session__activity_id", "session__start", "status")
        for session_id, activity_id, start, status in rows:
            if session_id in ids:
                active.add(session_id)
            if activity_id in limited_activities and status in LIMITED_STATUSES:
                key = (activity_id, rules.local_week(start))
                week_counts[key] = week_counts.get(key, 0) + 1
        suspended = Suspension.objects.filter(member=member, starts_at__lte=now, ends_at__gt=now).exists()
    return {
        s.pk: rules.evaluate(member=member, session=s, now=now, has_active_booking=s.pk in active,
                             week_count=week_counts.get((s.activity_id, rules.local_week(s.start)), 0),
                             suspended=suspended, queue_waiting=getattr(s, "queue_waiting", False))
        for s in sessions
    }


def booking_list(*, member: Member, status: str | None = None) -> QuerySet[Booking]:
    qs = Booking.objects.filter(member=member).select_related("session__activity__facility", "session__venue")
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
    return Booking.objects.filter(session=session).select_related(
        "member__user", "session__activity__facility").order_by(
        "status", "queue_position", "id")


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


def _staff_filter_target(actor, action: Action, target) -> None:
    """A list filter naming an object outside the actor's subtrees is refused (403), not silently emptied."""
    if target is not None and not permissions.can(actor, action, target):
        raise NotPermitted()


def activity_list_for_staff(*, actor, facility: Facility | None = None) -> QuerySet[Activity]:
    _staff_filter_target(actor, Action.MANAGE_ACTIVITY, facility)
    qs = permissions.scope(actor, Action.MANAGE_ACTIVITY, Activity.objects.select_related("facility"),
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
