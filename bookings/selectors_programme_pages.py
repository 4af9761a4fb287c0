"""Reads only the programme pages need, beside bookings.programme_selectors: the unions an allocation may give
places to (the allocate form's choices) and a member of the actor's unions found by member number (nominate).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from portal.members import permissions
from portal.members.models import Member, Organisation
from portal.members.permissions import Action

from .models import QuotaAllocation


def allocation_targets(*, actor, allocations: list[QuotaAllocation]) -> dict[int, list[Organisation]]:
    """For each allocation the actor manages, the unions directly below its union (one query for all)."""
    managed = [a for a in allocations if permissions.can(actor, Action.MANAGE_QUOTA, a)]
    if not managed:
        return {}
    below = Q(pk__in=[])
    for a in managed:
        below |= Q(path__startswith=a.organisation.path, depth=a.organisation.depth + 1)
    children = list(Organisation.objects.filter(below).order_by("path"))
    return {a.pk: [o for o in children if o.depth == a.organisation.depth + 1
                   and o.path.startswith(a.organisation.path)] for a in managed}


def organisations_by_ids(ids: list[int]) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=ids).order_by("path")


def member_by_number_for_staff(*, actor, member_number: str) -> Member | None:
    qs = permissions.scope(actor, Action.APPROVE_APPLICATION, Member.objects.select_related("organisation"))
    return qs.filter(member_number=member_number.strip()).first()
