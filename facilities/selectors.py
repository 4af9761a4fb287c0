"""Reads of facilities: the public registry and the staff views."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from portal.errors import NotFound, NotPermitted
from portal.members import permissions
from portal.members.models import Organisation
from portal.members.permissions import Action

from .models import AssetRecord, Facility, FacilityPhoto, Venue


def region_prefix(code: str) -> str:
    """GB/T 2260 codes nest in digit pairs: 330000 -> "33" (province), 330100 -> "3301" (city)."""
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def facility_list(*, kind: str | None = None, region: str | None = None,
                  organisation: Organisation | None = None) -> QuerySet[Facility]:
    """Public list; `region` is an administrative code prefix (330000 matches all of Zhejiang)."""
    qs = Facility.objects.select_related("organisation").prefetch_related(
        Prefetch("venues", queryset=Venue.objects.filter(active=True).order_by("name")),
        Prefetch("photos", queryset=FacilityPhoto.objects.order_by("position", "id")),
    )
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region_code__startswith=region_prefix(region))
    if organisation is not None:
        qs = qs.filter(organisation__path__startswith=organisation.path)
    return qs.order_by("region_code", "name", "id")


def facility_get(*, facility_id: int) -> Facility:
    facility = facility_list().filter(pk=facility_id).first()
    if facility is None:
        raise NotFound()
    return facility


def facility_list_for_staff(*, actor, action: Action = Action.MANAGE_FACILITY) -> QuerySet[Facility]:
    return permissions.scope(actor, action, Facility.objects.select_related("organisation"),
                             via="organisation").order_by("name", "id")


def staff_facility_get(*, actor, facility_id: int, action: Action = Action.MANAGE_FACILITY) -> Facility:
    """A facility the actor may manage; anything else is 404 so staff cannot probe other unions."""
    facility = Facility.objects.select_related("organisation").filter(pk=facility_id).first()
    if facility is None or not permissions.can(actor, action, facility):
        raise NotFound()
    return facility


def _staff_get(model, *, actor, pk: int, action: Action, related: str):
    obj = model.objects.select_related(related).filter(pk=pk).first()
    if obj is None or not permissions.can(actor, action, obj):
        raise NotFound()
    return obj


def staff_venue_get(*, actor, venue_id: int) -> Venue:
    return _staff_get(Venue, actor=actor, pk=venue_id, action=Action.MANAGE_FACILITY,
                      related="facility__organisation")


def staff_asset_record_get(*, actor, record_id: int) -> AssetRecord:
    return _staff_get(AssetRecord, actor=actor, pk=record_id, action=Action.EDIT_ASSETS,
                      related="facility__organisation")


def staff_photo_get(*, actor, photo_id: int) -> FacilityPhoto:
    return _staff_get(FacilityPhoto, actor=actor, pk=photo_id, action=Action.MANAGE_FACILITY,
                      related="facility__organisation")


def venue_list_for_staff(*, actor, facility: Facility | None = None,
                         action: Action = Action.MANAGE_FACILITY) -> QuerySet[Venue]:
    if facility is not None and not permissions.can(actor, action, facility):
        raise NotPermitted()
    qs = permissions.scope(actor, action, Venue.objects.select_related("facility"),
                           via="facility__organisation")
    if facility is not None:
        qs = qs.filter(facility=facility)
    return qs.order_by("facility_id", "name", "id")


def asset_record_list_for_staff(*, actor, facility: Facility | None = None,
                                year: int | None = None) -> QuerySet[AssetRecord]:
    if facility is not None and not permissions.can(actor, Action.EDIT_ASSETS, facility):
        raise NotPermitted()
    qs = permissions.scope(actor, Action.EDIT_ASSETS, AssetRecord.objects.select_related("facility"),
                           via="facility__organisation")
    if facility is not None:
        qs = qs.filter(facility=facility)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("facility_id", "-year")


def facility_search(*, kind: str | None = None, region: str | None = None, organisation: Organisation | None = None,
                    q: str = "", category: str = "") -> QuerySet[Facility]:
    """facility_list narrowed by words in the name, the address or a published activity's title, and to
    facilities offering published activities of `category`. The palace pages and the API search alike."""
    qs = facility_list(kind=kind, region=region, organisation=organisation)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q)
                       | Q(activities__title__icontains=q, activities__published=True)).distinct()
    if category:
        qs = qs.filter(activities__category=category, activities__published=True).distinct()
    return qs
