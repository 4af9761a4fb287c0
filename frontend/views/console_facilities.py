"""Staff console for facilities: the facility's own fields, venues, photos and the asset register by year.

Every write goes to facilities.services and every object is fetched through facilities.selectors, which
answer 404 outside the user's subtree; a view only chooses the form and the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facilities import selectors, services
from portal.errors import Conflict
from portal.members import permissions
from portal.members.permissions import Action

from ..access import staff_console
from ..forms import (
    AssetRecordEditForm,
    AssetRecordForm,
    FacilityForm,
    PhotoForm,
    VenueEditForm,
    VenueForm,
    apply_service_errors,
    service_submit,
)
from .console import _render


@staff_console(action=Action.MANAGE_FACILITY)
def facilities(request):
    return _render(request, "frontend/console/facilities.html", {
        "facilities": selectors.facility_list_for_staff(actor=request.user).annotate(
            venue_count=Count("venues", distinct=True), activity_count=Count("activities", distinct=True)),
    }, key="facilities")


@staff_console(action=Action.MANAGE_FACILITY)
def facility_create(request):
    organisations = permissions.organisations(request.user, Action.MANAGE_FACILITY).order_by("path")
    form = FacilityForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        ok, facility = service_submit(form, lambda: services.facility_create(
            actor=request.user, organisation=form.cleaned_data["organisation"], data=form.service_data()))
        if ok:
            messages.success(request, _("Facility created. Now add its venues."))
            return redirect("frontend:console:facility_detail", pk=facility.pk)
    return _render(request, "frontend/console/facility_form.html", {"form": form, "facility": None},
                   key="facilities", status=400 if request.method == "POST" else 200)


@staff_console(action=Action.MANAGE_FACILITY)
def facility_edit(request, pk: int):
    facility = selectors.staff_facility_get(actor=request.user, facility_id=pk)
    form = FacilityForm(request.POST or None, instance=facility)
    if request.method == "POST" and form.is_valid():
        ok, _saved = service_submit(form, lambda: services.facility_update(
            actor=request.user, facility_id=facility.pk, data=form.service_data()))
        if ok:
            messages.success(request, _("Facility saved."))
            return redirect("frontend:console:facility_detail", pk=facility.pk)
    return _render(request, "frontend/console/facility_form.html", {"form": form, "facility": facility},
                   key="facilities", status=400 if request.method == "POST" else 200)


@staff_console(action=Action.MANAGE_FACILITY)
def facility_detail(request, pk: int):
    """Venues, photos and the asset register by year; each form posts to facilities.services."""
    facility = selectors.staff_facility_get(actor=request.user, facility_id=pk)
    can_assets = permissions.can(request.user, Action.EDIT_ASSETS, facility)
    forms = {"venue": VenueForm(prefix="venue"), "asset": AssetRecordForm(prefix="asset"),
             "photo": PhotoForm(prefix="photo")}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in forms or (action == "asset" and not can_assets):
            raise PermissionDenied
        form_class = {"venue": VenueForm, "asset": AssetRecordForm, "photo": PhotoForm}[action]
        form = forms[action] = form_class(request.POST, request.FILES, prefix=action)
        if form.is_valid():
            try:
                if action == "venue":
                    services.venue_create(actor=request.user, facility=facility, **form.cleaned_data)
                    messages.success(request, _("Venue added."))
                elif action == "asset":
                    services.asset_record_create(actor=request.user, facility=facility, **form.service_data())
                    messages.success(request, _("Asset record saved."))
                else:
                    services.facility_photo_add(actor=request.user, facility=facility,
                                                image=form.cleaned_data["image"],
                                                caption=form.cleaned_data["caption"])
                    messages.success(request, _("Photo added."))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return redirect("frontend:console:facility_detail", pk=facility.pk)
        status = 400
    assets = selectors.asset_record_list_for_staff(actor=request.user, facility=facility) if can_assets else []
    return _render(request, "frontend/console/facility_detail.html", {
        "facility": facility, "venues": selectors.venue_list_for_staff(actor=request.user, facility=facility),
        "photos": facility.photos.all(), "assets": assets, "can_assets": can_assets, "forms": forms,
        "activities": facility.activities.order_by("title"),
    }, key="facilities", status=status)


@staff_console(action=Action.MANAGE_FACILITY)
def venue_detail(request, pk: int):
    """Edit a venue, mark it not in use, or delete it when no session was ever scheduled there."""
    venue = selectors.staff_venue_get(actor=request.user, venue_id=pk)
    form = VenueEditForm(initial={f: getattr(venue, f) for f in ("name", "kind", "capacity", "description",
                                                                  "active")})
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                services.venue_delete(actor=request.user, venue=venue)
                messages.success(request, _("Venue deleted."))
                return redirect("frontend:console:facility_detail", pk=venue.facility_id)
            form = VenueEditForm(request.POST)
            if form.is_valid():
                services.venue_update(actor=request.user, venue=venue, data=form.cleaned_data)
                messages.success(request, _("Venue saved."))
                return redirect("frontend:console:facility_detail", pk=venue.facility_id)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, exc.detail)
            return redirect("frontend:console:venue_detail", pk=venue.pk)
        status = 400
        venue.refresh_from_db()
    return _render(request, "frontend/console/venue_form.html", {"form": form, "venue": venue,
                                                                 "facility": venue.facility},
                   key="facilities", status=status)


@staff_console(action=Action.EDIT_ASSETS)
def asset_detail(request, pk: int):
    """Correct one year's line of the asset register."""
    record = selectors.staff_asset_record_get(actor=request.user, record_id=pk)
    initial = {f: getattr(record, f) for f in ("land_area_m2", "floor_area_m2", "year_built", "title_status",
                                               "operating_mode", "notes")}
    initial["book_value_yuan"] = record.book_value_fen / 100
    form = AssetRecordEditForm(request.POST or None, initial=initial, instance=record)
    if request.method == "POST" and form.is_valid():
        ok, _saved = service_submit(form, lambda: services.asset_record_update(
            actor=request.user, record=record, data=form.service_data()))
        if ok:
            messages.success(request, _("Asset record saved."))
            return redirect("frontend:console:facility_detail", pk=record.facility_id)
    return _render(request, "frontend/console/asset_form.html", {"form": form, "record": record,
                                                                 "facility": record.facility},
                   key="facilities", status=400 if request.method == "POST" else 200)


@staff_console(action=Action.MANAGE_FACILITY)
@require_POST
def photo_delete(request, pk: int):
    photo = selectors.staff_photo_get(actor=request.user, photo_id=pk)
    facility_id = photo.facility_id
    services.facility_photo_delete(actor=request.user, photo=photo)
    messages.success(request, _("Photo deleted."))
    return redirect("frontend:console:facility_detail", pk=facility_id)
