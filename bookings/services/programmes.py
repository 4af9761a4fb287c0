"""Setting up recuperation programmes and their batches (by officers of the running organisation)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from facilities.inventory import room_nights_release, room_nights_take
from facilities.models import Facility, FacilityKind, RoomType
from portal import constraints
from portal.errors import Conflict, NotFound
from portal.members import permissions
from portal.members.models import Organisation
from portal.members.permissions import Action

from ..models import ELIGIBILITY_CATEGORIES, MAX_BATCH_PLACES, Batch, BatchStatus, Programme
from .applications import applications_cancel_for_batch
from .quotas import root_allocation_create

PROGRAMME_FIELDS = {"title", "year", "description", "min_model_worker_level", "categories", "min_membership_years",
                    "once_in_years", "priority_never_been", "skilled_share_percent", "status"}
CATEGORY_CODES = {code for code, _label in ELIGIBILITY_CATEGORIES}


def _check_categories(categories) -> list[str]:
    if not isinstance(categories, list) or any(c not in CATEGORY_CODES for c in categories):
        raise ValidationError({"categories": [_("Choose categories among: %(codes)s.")
                                              % {"codes": ", ".join(sorted(CATEGORY_CODES))}]})
    return sorted(set(categories))


def programme_for_staff(*, actor, programme_id: int) -> Programme:
    """A programme the actor's union runs (or one above it); anything else is 404."""
    programme = Programme.objects.select_related("organisation").filter(pk=programme_id).first()
    if programme is None or not permissions.can(actor, Action.MANAGE_QUOTA, programme):
        raise NotFound(_("Programme not found."))
    return programme


def programme_create(*, actor, organisation: Organisation, **fields) -> Programme:
    if not permissions.can(actor, Action.MANAGE_QUOTA, organisation):
        raise ValidationError({"organisation": [_("You can only run programmes for your own unions.")]})
    unknown = set(fields) - PROGRAMME_FIELDS
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    if "categories" in fields:
        fields["categories"] = _check_categories(fields["categories"])
    programme = Programme(organisation=organisation, **fields)
    constraints.full_clean(programme)
    programme.save()
    return programme


def programme_update(*, actor, programme: Programme, data: dict) -> Programme:
    if not permissions.can(actor, Action.MANAGE_QUOTA, programme):
        raise NotFound(_("Programme not found."))
    for name, value in data.items():
        if name not in PROGRAMME_FIELDS:
            continue
        if name == "categories":
            value = _check_categories(value)
        setattr(programme, name, value)
    constraints.full_clean(programme)
    programme.save()
    return programme


def _take_room_block(batch: Batch) -> None:
    """Take the batch's rooms on every night of its stay (inside the caller's transaction; 409 naming the first
    night that is not open or has too few rooms, and nothing is taken)."""
    if batch.room_type_id is not None:
        room_nights_take(room_type_id=batch.room_type_id, check_in=batch.start_date, check_out=batch.end_date,
                         rooms=batch.rooms)


def _release_room_block(batch: Batch) -> None:
    if batch.room_type_id is not None:
        room_nights_release(room_type_id=batch.room_type_id, check_in=batch.start_date, check_out=batch.end_date,
                            rooms=batch.rooms)


def _check_block(*, sanatorium: Facility, room_type: RoomType | None, rooms: int, places: int) -> dict:
    if room_type is None:
        return {"rooms": [_("Choose the room type of the block.")]} if rooms else {}
    if room_type.facility_id != sanatorium.pk:
        return {"room_type": [_("Choose a room type of this sanatorium.")]}
    if rooms < 1:
        return {"rooms": [_("Block at least one room.")]}
    if places > rooms * room_type.beds:
        return {"places": [_("%(rooms)d rooms of %(beds)d beds sleep at most %(n)d participants.")
                           % {"rooms": rooms, "beds": room_type.beds, "n": rooms * room_type.beds}]}
    return {}


def batch_create(*, actor, programme: Programme, sanatorium: Facility, start_date: date, end_date: date,
                 places: int, applications_open: date, applications_close: date, handback_cutoff: date,
                 route: str = "", room_type: RoomType | None = None, rooms: int = 0) -> Batch:
    """A dated cohort with its places, its root allocation (all places, the skilled share reserved) and its
    room block taken from the sanatorium's nights, all or nothing."""
    if not permissions.can(actor, Action.MANAGE_QUOTA, programme):
        raise NotFound(_("Programme not found."))
    if sanatorium.kind != FacilityKind.SANATORIUM:
        raise ValidationError({"sanatorium": [_("Choose a sanatorium.")]})
    if not (1 <= places <= MAX_BATCH_PLACES):
        raise ValidationError({"places": [_("A batch has between 1 and %(n)d places.") % {"n": MAX_BATCH_PLACES}]})
    errors = {}
    if end_date <= start_date:
        errors["end_date"] = [_("The departure must be after the arrival.")]
    if applications_close < applications_open:
        errors["applications_close"] = [_("Applications must close on or after the day they open.")]
    if applications_close >= start_date:
        errors.setdefault("applications_close", []).append(_("Applications must close before the batch starts."))
    if handback_cutoff >= start_date:
        errors["handback_cutoff"] = [_("Unused places must be handed back before the batch starts.")]
    errors.update(_check_block(sanatorium=sanatorium, room_type=room_type, rooms=rooms, places=places))
    if errors:
        raise ValidationError(errors)
    batch = Batch(programme=programme, sanatorium=sanatorium, start_date=start_date, end_date=end_date,
                  places=places, route=route, applications_open=applications_open,
                  applications_close=applications_close, handback_cutoff=handback_cutoff, room_type=room_type,
                  rooms=rooms if room_type is not None else 0)
    constraints.full_clean(batch)
    with transaction.atomic():
        batch.save()
        root_allocation_create(batch=batch)
        _take_room_block(batch)
    return batch


def batch_cancel(*, actor, batch_id: int, reason: str) -> Batch:
    """Cancel a batch: every active application ends (members told), places and the room block go back."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the batch is cancelled.")]})
    batch = Batch.objects.select_related("programme__organisation").filter(pk=batch_id).first()
    if batch is None or not permissions.can(actor, Action.MANAGE_QUOTA, batch):
        raise NotFound(_("Batch not found."))
    with transaction.atomic():
        locked = Batch.objects.select_for_update(of=("self",)).select_related("programme", "sanatorium").get(
            pk=batch.pk)
        if locked.status != BatchStatus.SCHEDULED:
            raise Conflict(_("This batch is already cancelled."), code="cancelled")
        applications_cancel_for_batch(actor=actor, batch=locked, reason=reason)
        Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.CANCELLED, cancel_reason=reason[:300])
        _release_room_block(locked)
    batch.refresh_from_db()
    return batch
