"""Time rules of a stay: when check-in is, until when a member may cancel, which dates may be booked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from facilities.models import SanatoriumPolicy

from .rules import LOCAL_TZ

CHECK_IN_TIME = time(14, 0)  # rooms are ready from 14:00 local time on the day of check-in


def check_in_moment(day: date) -> datetime:
    return datetime.combine(day, CHECK_IN_TIME, tzinfo=LOCAL_TZ)


def cancel_deadline(*, check_in: date, policy: SanatoriumPolicy) -> datetime:
    """Free cancellation ends this many hours before check-in time."""
    return check_in_moment(check_in) - timedelta(hours=policy.cancel_deadline_hours)


def today() -> date:
    return timezone.localdate(timezone=LOCAL_TZ)


def last_bookable_night(policy: SanatoriumPolicy) -> date:
    return today() + timedelta(days=policy.booking_horizon_days)
