"""Every write to facilities, venues, photos and asset records; staff actions are checked here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from portal import constraints, uploads
from portal.errors import Conflict, NotFound
from portal.members import permissions
from portal.members.models import Organisation
from portal.members.permissions import Action

from .models import AssetRecord, Facility, FacilityKind, FacilityPhoto, Venue

# A facility's own fields staff may set; kind and owning union are fixed once it exists.
FACILITY_FIELDS = {"name", "address", "region_code", "latitude", "longitude", "opening_hours", "contact",
                   "description", "accessibility", "status"}
VENUE_FIELDS = {"name", "kind", "capacity", "description", "active"}
ASSET_FIELDS = {"book_value_fen", "currency", "land_area_m2", "floor_area_m2", "year_built", "title_status",
                "operating_mode", "notes"}


def _require(actor, action: Action, obj) -> None:
    # Outside the actor's subtree the object "does not exist" for them (404), as DESIGN.md asks.
    if not permissions.can(actor, action, obj):
        raise NotFound()


def _save(obj) -> None:
    """Validate (each constraint's message on its field, portal.constraints) and save; a concurrent duplicate
    that slips past the check comes back from the database as the same field error."""
    constraints.full_clean(obj)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise (constraints.integrity_error(exc) or exc) from None


def _facility_assign(facility: Facility, data: dict, *, allowed: set[str]) -> None:
    """Copy `data` onto `facility`; a key that may not be set here is a field error, not silently dropped."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({field: [_("This field cannot be set here.")] for field in unknown})
    for field, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if field in ("latitude", "longitude"):
            value = None if value == "" else value
        elif value is None:
            value = ""  # text columns store "nothing" as an empty string; full_clean then judges it
        setattr(facility, field, value)


def _facility_save(facility: Facility) -> None:
    """full_clean (model validators: 6-digit region code, lengths, choices) plus coordinate ranges."""
    errors: dict[str, list] = {}
    try:
        facility.full_clean()
    except ValidationError as exc:
        errors = dict(exc.message_dict)
    lat, lng = facility.latitude, facility.longitude
    if "latitude" not in errors and lat is not None and not -90 <= lat <= 90:
        errors["latitude"] = [_("Latitude lies between -90 and 90.")]
    if "longitude" not in errors and lng is not None and not -180 <= lng <= 180:
        errors["longitude"] = [_("Longitude lies between -180 and 180.")]
    if not errors and (lat is None) != (lng is None):
        errors["latitude" if lat is None else "longitude"] = [_("Give both coordinates, or neither.")]
    if errors:
        raise ValidationError(errors)
    facility.save()


def facility_create(*, actor, organisation: Organisation, data: dict) -> Facility:
    """A new palace or sanatorium owned by `organisation`, which must lie in the actor's subtree (else 404)."""
    _require(actor, Action.MANAGE_FACILITY, organisation)
    data = dict(data)
    facility = Facility(organisation=organisation, kind=data.pop("kind", FacilityKind.PALACE))
    _facility_assign(facility, data, allowed=FACILITY_FIELDS)
    with transaction.atomic():
        _facility_save(facility)
    return facility


def facility_update(*, actor, facility_id: int, data: dict) -> Facility:
    """Change a facility's own fields; outside the actor's subtree it does not exist (404)."""
    with transaction.atomic():
        facility = Facility.objects.select_for_update(of=("self",)).select_related("organisation").filter(
            pk=facility_id).first()
        if facility is None:
            raise NotFound()
        _require(actor, Action.MANAGE_FACILITY, facility)
        _facility_assign(facility, data, allowed=FACILITY_FIELDS)
        _facility_save(facility)
    return facility


def venue_create(*, actor, facility: Facility, name: str, kind: str, capacity: int, description: str = "",
                 active: bool = True) -> Venue:
    _require(actor, Action.MANAGE_FACILITY, facility)
    venue = Venue(facility=facility, name=name.strip(), kind=kind, capacity=capacity, description=description,
                  active=active)
    _save(venue)
    return venue


def venue_update(*, actor, venue: Venue, data: dict) -> Venue:
    _require(actor, Action.MANAGE_FACILITY, venue)
    for field, value in data.items():
        if field in VENUE_FIELDS:
            setattr(venue, field, value)
    _save(venue)
    return venue


def venue_delete(*, actor, venue: Venue) -> None:
    _require(actor, Action.MANAGE_FACILITY, venue)
    # The reverse relation, not bookings.models: facilities sits below bookings and never imports it.
    if venue.sessions.exists():
        raise Conflict(_("Sessions are scheduled in this venue; mark it as not in use instead."))
    try:
        with transaction.atomic():
            venue.delete()
    except ProtectedError:  # an activity's default venue, or head counts recorded there
        raise Conflict(_("Activities or head counts refer to this venue; mark it as not in use instead.")) from None


def asset_record_create(*, actor, facility: Facility, year: int, **data) -> AssetRecord:
    _require(actor, Action.EDIT_ASSETS, facility)
    record = AssetRecord(facility=facility, year=year, **{k: v for k, v in data.items() if k in ASSET_FIELDS})
    _save(record)
    return record


def asset_record_update(*, actor, record: AssetRecord, data: dict) -> AssetRecord:
    _require(actor, Action.EDIT_ASSETS, record)
    for field, value in data.items():
        if field in ASSET_FIELDS:
            setattr(record, field, value)
    _save(record)
    return record


def facility_photo_add(*, actor, facility: Facility, image, caption: str = "") -> FacilityPhoto:
    """Decode and re-encode `image` (portal.uploads) and add it as the facility's last photo. A bad image or
    caption is a field error and leaves no file behind; so does a row that fails to save."""
    _require(actor, Action.MANAGE_FACILITY, facility)
    errors: dict[str, list] = {}
    accepted = None
    try:
        accepted = uploads.accept_image(image, field="image")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    photo = FacilityPhoto(facility=facility, caption=caption.strip())
    try:
        photo.full_clean(exclude=["image", "position"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with uploads.store_upload(accepted, directory="facilities", visibility=uploads.Visibility.PUBLIC) as stored, \
            transaction.atomic():
        photo.image = stored.name
        photo.position = facility.photos.count()
        photo.save()
    return photo


@transaction.atomic
def facility_photo_delete(*, actor, photo: FacilityPhoto) -> None:
    """Delete the photo's row; its file goes after commit (facilities.apps), so a rollback keeps both."""
    _require(actor, Action.MANAGE_FACILITY, photo)
    photo.delete()


def facility_photos_reencode_legacy() -> tuple[int, int]:
    """Photos stored before portal.uploads (signature-checked only, under their client's extension, outside
    `public/`): re-encode each through the helper under a random public name, or delete it if it is not an
    image. Returns (re-encoded, deleted). Safe to run twice: only names outside `public/` are touched."""
    reencoded = deleted = 0
    for photo in FacilityPhoto.objects.exclude(image__startswith=f"{uploads.Visibility.PUBLIC}/").order_by("pk"):
        old_name = photo.image.name
        try:
            with photo.image.open("rb") as legacy:
                accepted = uploads.accept_image(legacy, field="image")
        except (ValidationError, FileNotFoundError):  # not an image, or its file is already gone
            with transaction.atomic():
                photo.delete()  # its file goes after commit (facilities.apps)
            deleted += 1
            continue
        with uploads.store_upload(accepted, directory="facilities", visibility=uploads.Visibility.PUBLIC) as stored, \
                transaction.atomic():
            FacilityPhoto.objects.filter(pk=photo.pk).update(image=stored.name)
            uploads.delete_after_commit(old_name)
        reencoded += 1
    return reencoded, deleted
