"""Every write to a sanatorium's room types, their photos and its stay policy; staff actions are checked here.

(The nights of a room type are facilities.inventory's.)
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from portal import uploads
from portal.errors import Conflict
from portal.members.permissions import Action

from .models import Facility, FacilityKind, RoomType, RoomTypePhoto, SanatoriumPolicy
from .services import _require, _save

ROOM_TYPE_FIELDS = {"kind", "name", "rooms", "beds", "member_price_fen", "companion_price_fen", "description",
                    "active"}
POLICY_FIELDS = {"max_stay_nights", "booking_horizon_days", "cancel_deadline_hours", "free_member_nights_per_year",
                 "member_subsidy_percent", "companion_subsidy_percent"}


def _assign(obj, data: dict, *, allowed: set[str]) -> None:
    """Copy `data` onto `obj`; a key that may not be set here is a field error, not silently dropped."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    for name, value in data.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)


def _sanatorium(facility: Facility) -> None:
    if facility.kind != FacilityKind.SANATORIUM:
        raise ValidationError({"facility": [_("Room types belong to sanatoriums.")]})


def room_type_create(*, actor, facility: Facility, data: dict) -> RoomType:
    """A new room type in a sanatorium of the actor's subtree (404 outside it)."""
    _require(actor, Action.MANAGE_FACILITY, facility)
    _sanatorium(facility)
    room_type = RoomType(facility=facility)
    _assign(room_type, data, allowed=ROOM_TYPE_FIELDS)
    _save(room_type)
    return room_type


def room_type_update(*, actor, room_type: RoomType, data: dict) -> RoomType:
    """Change a room type. Its standing room count may go below nights already open: those keep their count
    until staff resize them (facilities.inventory refuses any night below what guests hold)."""
    _require(actor, Action.MANAGE_FACILITY, room_type)
    _assign(room_type, data, allowed=ROOM_TYPE_FIELDS)
    _save(room_type)
    return room_type


def room_type_delete(*, actor, room_type: RoomType) -> None:
    """Only a room type no stay ever used can go; otherwise it is marked not bookable instead."""
    _require(actor, Action.MANAGE_FACILITY, room_type)
    try:
        with transaction.atomic():
            room_type.delete()
    except ProtectedError:
        raise Conflict(_("Stays refer to this room type; mark it as not bookable instead."),
                       code="in_use") from None


def room_type_photo_add(*, actor, room_type: RoomType, image, caption: str = "") -> RoomTypePhoto:
    """Decode and re-encode `image` (portal.uploads) and add it as the room type's last photo."""
    _require(actor, Action.MANAGE_FACILITY, room_type)
    errors: dict[str, list] = {}
    accepted = None
    try:
        accepted = uploads.accept_image(image, field="image")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    photo = RoomTypePhoto(room_type=room_type, caption=(caption or "").strip())
    try:
        photo.full_clean(exclude=["image", "position"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with uploads.store_upload(accepted, directory="rooms", visibility=uploads.Visibility.PUBLIC) as stored, \
            transaction.atomic():
        photo.image = stored.name
        photo.position = room_type.photos.count()
        photo.save()
    return photo


@transaction.atomic
def room_type_photo_delete(*, actor, photo: RoomTypePhoto) -> None:
    """Delete the photo's row; its file goes after commit (facilities.apps), so a rollback keeps both."""
    _require(actor, Action.MANAGE_FACILITY, photo)
    photo.delete()


def sanatorium_policy_get(*, facility: Facility) -> SanatoriumPolicy:
    """The sanatorium's policy; one with the defaults when staff never set it (not saved until they do)."""
    policy = SanatoriumPolicy.objects.filter(facility=facility).first()
    return policy or SanatoriumPolicy(facility=facility)


def sanatorium_policy_update(*, actor, facility: Facility, data: dict) -> SanatoriumPolicy:
    """Set the sanatorium's stay rules (created on first change). Existing stays keep their price."""
    _require(actor, Action.MANAGE_FACILITY, facility)
    _sanatorium(facility)
    policy = sanatorium_policy_get(facility=facility)
    _assign(policy, data, allowed=POLICY_FIELDS)
    _save(policy)
    return policy
