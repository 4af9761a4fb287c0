"""Every write to facilities, venues, photos and asset records; staff actions are checked here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.errors import Conflict, NotFound
from portal.members import permissions
from portal.members.permissions import Action

from .models import AssetRecord, Facility, FacilityPhoto, Venue

VENUE_FIELDS = {"name", "kind", "capacity", "description", "active"}
ASSET_FIELDS = {"book_value_fen", "currency", "land_area_m2", "floor_area_m2", "year_built", "title_status",
                "operating_mode", "notes"}


def _require(actor, action: Action, obj) -> None:
    # Outside the actor's subtree the object "does not exist" for them (404), as DESIGN.md asks.
    if not permissions.can(actor, action, obj):
        raise NotFound()


def _save(obj, *, duplicate_field: str, duplicate_message: str) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        # full_clean reports a unique pair under __all__; name the field the user can change instead.
        errors = dict(exc.message_dict)
        if errors.pop("__all__", None):
            errors[duplicate_field] = [duplicate_message]
        raise ValidationError(errors) from None
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ValidationError({duplicate_field: [duplicate_message]}) from None


def venue_create(*, actor, facility: Facility, name: str, kind: str, capacity: int, description: str = "",
                 active: bool = True) -> Venue:
    _require(actor, Action.MANAGE_FACILITY, facility)
    venue = Venue(facility=facility, name=name.strip(), kind=kind, capacity=capacity, description=description,
                  active=active)
    _save(venue, duplicate_field="name", duplicate_message=_("This facility already has a venue with this name."))
    return venue


def venue_update(*, actor, venue: Venue, data: dict) -> Venue:
    _require(actor, Action.MANAGE_FACILITY, venue)
    for field, value in data.items():
        if field in VENUE_FIELDS:
            setattr(venue, field, value)
    _save(venue, duplicate_field="name", duplicate_message=_("This facility already has a venue with this name."))
    return venue


def venue_delete(*, actor, venue: Venue) -> None:
    _require(actor, Action.MANAGE_FACILITY, venue)
    from bookings.models import Session

    if Session.objects.filter(venue=venue).exists():
        raise Conflict(_("Sessions are scheduled in this venue; mark it as not in use instead."))
    venue.delete()


def asset_record_create(*, actor, facility: Facility, year: int, **data) -> AssetRecord:
    _require(actor, Action.EDIT_ASSETS, facility)
    record = AssetRecord(facility=facility, year=year, **{k: v for k, v in data.items() if k in ASSET_FIELDS})
    _save(record, duplicate_field="year",
          duplicate_message=_("This facility already has an asset record for this year."))
    return record


def asset_record_update(*, actor, record: AssetRecord, data: dict) -> AssetRecord:
    _require(actor, Action.EDIT_ASSETS, record)
    for field, value in data.items():
        if field in ASSET_FIELDS:
            setattr(record, field, value)
    _save(record, duplicate_field="year",
          duplicate_message=_("This facility already has an asset record for this year."))
    return record


def facility_photo_add(*, actor, facility: Facility, image, caption: str = "") -> FacilityPhoto:
    _require(actor, Action.MANAGE_FACILITY, facility)
    photo = FacilityPhoto(facility=facility, image=image, caption=caption,
                          position=facility.photos.count())
    try:
        photo.full_clean()
    except ValidationError as exc:
        raise ValidationError({"image": exc.message_dict.get("image", exc.messages)}) from None
    photo.save()
    return photo


def facility_photo_delete(*, actor, photo: FacilityPhoto) -> None:
    _require(actor, Action.MANAGE_FACILITY, photo)
    photo.image.delete(save=False)
    photo.delete()
