"""Builders for programmes and batches (real rows through the services, so the root allocation exists)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bookings.models import Programme, ProgrammeStatus
from bookings.services import programmes as programme_services
from facilities.models import Facility, FacilityKind
from portal.members.models import Role, User
from tests import factories


def sanatorium(organisation, *, name: str = "甲省疗休养院") -> Facility:
    return Facility.objects.create(kind=FacilityKind.SANATORIUM, organisation=organisation, name=name,
                                   region_code=organisation.region_code, address="湖滨路 8 号")


def runner(organisation) -> User:
    """An officer of the running organisation (approves, allocates, confirms)."""
    return factories.staff(organisation=organisation, role=Role.UNION_OFFICER)


def programme(organisation, *, actor=None, status: str = ProgrammeStatus.OPEN, **fields) -> Programme:
    actor = actor or runner(organisation)
    defaults = dict(title="2027 劳模疗休养", year=timezone.localdate().year + 1, status=status)
    defaults.update(fields)
    return programme_services.programme_create(actor=actor, organisation=organisation, **defaults)


def batch(prog: Programme, facility: Facility, *, actor=None, places: int = 10, starts_in: int = 30,
          nights: int = 5, **fields):
    actor = actor or factories.user()
    if not actor.is_superuser:
        actor.is_superuser = True
        actor.save(update_fields=["is_superuser"])
    today = timezone.localdate()
    start = today + timedelta(days=starts_in)
    defaults = dict(start_date=start, end_date=start + timedelta(days=nights), places=places,
                    applications_open=today - timedelta(days=1), applications_close=start - timedelta(days=5),
                    handback_cutoff=start - timedelta(days=7), route="杭州—龙井")
    defaults.update(fields)
    return programme_services.batch_create(actor=actor, programme=prog, sanatorium=facility, **defaults)
