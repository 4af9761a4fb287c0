"""Builders for palaces, activities and sessions (real rows; services are what the tests exercise)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bookings.models import Activity, ActivityKind, Category, Session
from facilities.models import Facility, FacilityKind, Venue


def palace(organisation, *, name: str = "甲市工人文化宫", region_code: str | None = None) -> Facility:
    return Facility.objects.create(kind=FacilityKind.PALACE, organisation=organisation, name=name,
                                   region_code=region_code or organisation.region_code, address="解放路 1 号")


def venue(facility: Facility, *, name: str = "舞蹈教室", capacity: int = 30, kind: str = "classroom") -> Venue:
    return Venue.objects.create(facility=facility, name=name, kind=kind, capacity=capacity)


def activity(facility: Facility, **fields) -> Activity:
    defaults = dict(kind=ActivityKind.CLASS_SERIES, title="民族舞基础班", category=Category.MUSIC,
                    opens_hours_before=14 * 24, closes_hours_before=1, cancel_hours_before=24,
                    max_seats_per_booking=2)
    defaults.update(fields)
    return Activity.objects.create(facility=facility, **defaults)


def session(act: Activity, *, capacity: int = 10, starts_in: timedelta = timedelta(days=3),
            hours: float = 1.5, **fields) -> Session:
    start = timezone.now() + starts_in
    return Session.objects.create(activity=act, venue=fields.pop("venue", act.venue), start=start,
                                  end=start + timedelta(hours=hours), capacity=capacity, **fields)
