"""Quota places of a batch down the union tree: allocate to a child union, hand unused places back, take and
give back one place for an approved application.

Every counter move is a conditional UPDATE whose WHERE repeats the allocation's CHECK constraints, so a move
that does not fit changes nothing (and the CHECKs stop anything that slips past). Moves that touch two rows
(allocate, hand back) lock them first in path order, parent before child, so they never deadlock with each
other; taking a place touches one row at a time (docs/architecture.md, "Quotas down the tree").
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import Conflict, NotFound
from portal.members import permissions
from portal.members.models import Member, Organisation
from portal.members.permissions import Action

from ..models import Batch, BatchStatus, QuotaAllocation

MAX_ALLOCATION = 5_000


def default_skilled_share(places: int, percent: int) -> int:
    """The skilled workers' share of `places` (rounded down: 20% of 12 is 2)."""
    return places * percent // 100


def _fits_for_others(extra_used: int = 0, extra_children: int = 0, less_reserved=0) -> Q:
    """WHERE for a move by anybody but a skilled worker: the reservation stays whole (CHECK
    allocation_skilled_reservation_kept) and used + children stay within places (allocation_within_places)."""
    return (Q(used__lte=F("places") - F("allocated_to_children") - extra_used - extra_children)
            & Q(skilled_reserved__lte=F("places") - F("allocated_to_children") - extra_children
                - F("used") - extra_used + F("skilled_used") + less_reserved))


def allocation_for_staff(*, actor, allocation_id: int, action: Action = Action.MANAGE_QUOTA) -> QuotaAllocation:
    allocation = QuotaAllocation.objects.select_related("organisation", "batch__programme__organisation",
                                                        "parent").filter(pk=allocation_id).first()
    if allocation is None or not permissions.can(actor, action, allocation):
        raise NotFound(_("Allocation not found."))
    return allocation


def root_allocation_create(*, batch: Batch) -> QuotaAllocation:
    """The running organisation's allocation: all the batch's places, with the skilled workers' share reserved."""
    share = default_skilled_share(batch.places, batch.programme.skilled_share_percent)
    return QuotaAllocation.objects.create(batch=batch, organisation=batch.programme.organisation, parent=None,
                                          places=batch.places, skilled_reserved=share)


def _lock(*allocation_ids: int) -> dict[int, QuotaAllocation]:
    """Lock allocations in path order (parent before child): one order for every two-row move."""
    rows = list(QuotaAllocation.objects.select_for_update(of=("self",)).select_related("organisation")
                .filter(pk__in=allocation_ids).order_by("organisation__path"))
    return {row.pk: row for row in rows}


def _refuse_closed_batch(batch: Batch) -> None:
    if batch.status != BatchStatus.SCHEDULED:
        raise Conflict(_("This batch has been cancelled."), code="cancelled")


def allocate(*, actor, allocation_id: int, organisation: Organisation, places: int,
             skilled_reserved: int | None = None) -> QuotaAllocation:
    """Give `places` of a parent allocation to a direct child union (adding to what it already holds).

    `skilled_reserved` of them stay reserved for skilled workers (default: the programme's share); the parent's
    own reservation shrinks by as much as travels down, so the tree reserves the same total."""
    parent = allocation_for_staff(actor=actor, allocation_id=allocation_id)
    _refuse_closed_batch(parent.batch)
    if places < 1 or places > MAX_ALLOCATION:
        raise ValidationError({"places": [_("Allocate between 1 and %(n)d places.") % {"n": MAX_ALLOCATION}]})
    org = parent.organisation
    if organisation.depth != org.depth + 1 or not organisation.path.startswith(org.path):
        raise ValidationError({"organisation": [_("Places go to a union directly below %(org)s.")
                                                % {"org": org.name}]})
    share = default_skilled_share(places, parent.batch.programme.skilled_share_percent)
    reserved = share if skilled_reserved is None else skilled_reserved
    if reserved < 0 or reserved > places:
        raise ValidationError({"skilled_reserved": [_("Reserve between 0 and %(n)d of these places for skilled "
                                                      "workers.") % {"n": places}]})
    with transaction.atomic():
        _lock(parent.pk)
        child, _created = QuotaAllocation.objects.get_or_create(
            batch=parent.batch, organisation=organisation, defaults={"parent": parent})
        locked = _lock(parent.pk, child.pk)
        parent_row = locked[parent.pk]
        moved = min(reserved, parent_row.skilled_reserved)
        if not QuotaAllocation.objects.filter(pk=parent.pk).filter(
                _fits_for_others(extra_children=places, less_reserved=moved)).update(
                allocated_to_children=F("allocated_to_children") + places,
                skilled_reserved=F("skilled_reserved") - moved):
            parent_row.skilled_reserved -= moved
            raise Conflict(_("%(org)s has only %(free)d places free to allocate; you asked for %(n)d.")
                           % {"org": org.name, "free": parent_row.free_for_others, "n": places},
                           errors={"places": [_("At most %(free)d.") % {"free": parent_row.free_for_others}]},
                           code="over_allocated")
        QuotaAllocation.objects.filter(pk=child.pk).update(places=F("places") + places,
                                                           skilled_reserved=F("skilled_reserved") + reserved)
    child.refresh_from_db()
    return child


def hand_back(*, actor, allocation_id: int, places: int) -> QuotaAllocation:
    """Return unused places to the parent's free places, before the batch's hand-back cut-off. The part of the
    child's skilled reservation that no longer fits goes back up with them."""
    child = allocation_for_staff(actor=actor, allocation_id=allocation_id)
    batch = child.batch
    _refuse_closed_batch(batch)
    if child.parent_id is None:
        raise Conflict(_("The organising union's own places cannot be handed back."), code="root")
    if timezone.localdate() > batch.handback_cutoff:
        raise Conflict(_("Unused places could be handed back until %(day)s.") % {"day": batch.handback_cutoff},
                       code="cutoff_passed")
    if places < 1 or places > MAX_ALLOCATION:
        raise ValidationError({"places": [_("Hand back between 1 and %(n)d places.") % {"n": MAX_ALLOCATION}]})
    with transaction.atomic():
        locked = _lock(child.parent_id, child.pk)
        row = locked[child.pk]
        if row.free < places:
            raise Conflict(_("Only %(free)d places are unused; you asked to hand back %(n)d.")
                           % {"free": row.free, "n": places},
                           errors={"places": [_("At most %(free)d.") % {"free": row.free}]}, code="over_handback")
        keeps = min(row.skilled_reserved, row.places - places - row.allocated_to_children - row.used
                    + row.skilled_used)
        returned_reserve = row.skilled_reserved - keeps
        if not QuotaAllocation.objects.filter(pk=child.pk, used__lte=F("places") - F("allocated_to_children")
                                              - places).update(
                places=F("places") - places, handed_back=F("handed_back") + places, skilled_reserved=keeps):
            raise Conflict(_("The places changed meanwhile; reload and try again."), code="changed")
        QuotaAllocation.objects.filter(pk=child.parent_id).update(
            allocated_to_children=F("allocated_to_children") - places,
            skilled_reserved=F("skilled_reserved") + returned_reserve)
    child.refresh_from_db()
    return child


def path_allocations(*, batch_id: int, member: Member, within: list[str] | None = None) -> list[int]:
    """Allocations of the batch held by the member's union or the unions above it, nearest first. `within`:
    only those in these subtrees (the approving officer's)."""
    path = member.organisation.path
    rows = QuotaAllocation.objects.filter(batch_id=batch_id).values_list("pk", "organisation__path")
    chain = [(len(p), pk, p) for pk, p in rows if path.startswith(p)]
    if within is not None:
        chain = [c for c in chain if any(c[2].startswith(w) for w in within)]
    return [pk for _depth, pk, _path in sorted(chain, reverse=True)]


def take_place(*, allocation_ids: list[int], skilled: bool) -> int | None:
    """Take one place from the first allocation (nearest the member) that has one free; None when none has.
    One conditional UPDATE per try: a skilled worker may use reserved places, anybody else may not."""
    for pk in allocation_ids:
        rows = QuotaAllocation.objects.filter(pk=pk)
        if skilled:
            taken = rows.filter(used__lte=F("places") - F("allocated_to_children") - 1).update(
                used=F("used") + 1, skilled_used=F("skilled_used") + 1)
        else:
            taken = rows.filter(_fits_for_others(extra_used=1)).update(used=F("used") + 1)
        if taken:
            return pk
    return None


def release_place(*, allocation_id: int, skilled: bool) -> None:
    # The CHECK constraints turn a double release into an IntegrityError, never a silent drift.
    fields = {"used": F("used") - 1}
    if skilled:
        fields["skilled_used"] = F("skilled_used") - 1
    QuotaAllocation.objects.filter(pk=allocation_id).update(**fields)
