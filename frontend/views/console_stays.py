"""Staff console for sanatoriums: room types and their photos, a room type's nights by month (open, close,
resize a range), and the day's arrivals and departures with check-in and check-out.

Every write goes to facilities.rooms, facilities.inventory or bookings.services.stays, and every object is
fetched through selectors that answer 404 outside the user's subtree; a view only chooses the form and the page.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bookings import stay_selectors
from bookings.services import stays as stay_services
from facilities import inventory, rooms
from facilities.models import FacilityKind
from facilities.selectors import facility_list_for_staff
from portal.errors import Conflict
from portal.members.permissions import Action

from ..access import staff_console
from ..forms import apply_service_errors, service_submit
from ..stay_forms import DayForm, NightRangeForm, RoomTypeForm, RoomTypePhotoForm
from .console import _render
from .sanatoriums import apply_domain_error, month_context, month_from

KEY = "stays"

# --- room types ------------------------------------------------------------------------------------------------

@staff_console(action=Action.MANAGE_FACILITY)
def room_types(request):
    return _render(request, "frontend/console/stays/room_types.html", {
        "room_types": stay_selectors.room_type_list_for_staff(actor=request.user),
        "can_create": facility_list_for_staff(actor=request.user).filter(kind=FacilityKind.SANATORIUM).exists(),
    }, key=KEY)


@staff_console(action=Action.MANAGE_FACILITY)
def room_type_create(request):
    sanatoriums = facility_list_for_staff(actor=request.user).filter(kind=FacilityKind.SANATORIUM)
    form = RoomTypeForm(request.POST or None, facilities=sanatoriums)
    if request.method == "POST" and form.is_valid():
        ok, room_type = service_submit(form, lambda: rooms.room_type_create(
            actor=request.user, facility=form.cleaned_data["facility"], data=form.service_data()))
        if ok:
            messages.success(request, _("Room type created. Now add photos and open its nights."))
            return redirect("frontend:console:room_type_detail", pk=room_type.pk)
    return _render(request, "frontend/console/stays/room_type_form.html", {"form": form, "room_type": None},
                   key=KEY, status=400 if request.method == "POST" else 200)


@staff_console(action=Action.MANAGE_FACILITY)
def room_type_detail(request, pk: int):
    """Edit the room type (action=save) or add a photo (action=photo)."""
    room_type = stay_selectors.staff_room_type_get(actor=request.user, room_type_id=pk)
    form = RoomTypeForm(instance=room_type)
    photo_form = RoomTypePhotoForm(prefix="photo")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "save":
            form = RoomTypeForm(request.POST, instance=room_type)
            if form.is_valid():
                ok, _saved = service_submit(form, lambda: rooms.room_type_update(
                    actor=request.user, room_type=room_type, data=form.service_data()))
                if ok:
                    messages.success(request, _("Room type saved."))
                    return redirect("frontend:console:room_type_detail", pk=room_type.pk)
        elif action == "photo":
            photo_form = RoomTypePhotoForm(request.POST, request.FILES, prefix="photo")
            if photo_form.is_valid():
                ok, _photo = service_submit(photo_form, lambda: rooms.room_type_photo_add(
                    actor=request.user, room_type=room_type, image=photo_form.cleaned_data["image"],
                    caption=photo_form.cleaned_data["caption"]))
                if ok:
                    messages.success(request, _("Photo added."))
                    return redirect("frontend:console:room_type_detail", pk=room_type.pk)
        else:
            raise PermissionDenied
        status = 400
    return _render(request, "frontend/console/stays/room_type_form.html", {
        "form": form, "photo_form": photo_form, "room_type": room_type, "photos": room_type.photos.all(),
    }, key=KEY, status=status)


@staff_console(action=Action.MANAGE_FACILITY)
@require_POST
def room_type_photo_delete(request, pk: int):
    photo = stay_selectors.staff_room_type_photo_get(actor=request.user, photo_id=pk)
    room_type_id = photo.room_type_id
    rooms.room_type_photo_delete(actor=request.user, photo=photo)
    messages.success(request, _("Photo deleted."))
    return redirect("frontend:console:room_type_detail", pk=room_type_id)


# --- nights ----------------------------------------------------------------------------------------------------

NIGHT_ACTIONS = ("open", "close", "resize")


def _night_forms(data=None, action: str | None = None) -> dict:
    return {name: NightRangeForm(data if name == action else None, prefix=name, with_rooms=name != "close")
            for name in NIGHT_ACTIONS}


def _night_change(request, room_type, action: str, form) -> inventory.NightsChange:
    data = form.cleaned_data
    span = {"actor": request.user, "room_type": room_type, "start": data["start"],
            "end": data["last"] + timedelta(days=1)}
    if action == "open":
        return inventory.room_nights_open(**span, rooms=data["rooms"])
    if action == "resize":
        return inventory.room_nights_resize(**span, rooms=data["rooms"])
    return inventory.room_nights_close(**span)


def _on_form(form, exc: ValidationError) -> None:
    """The service names [start, end); the form asks for the last night itself."""
    if hasattr(exc, "error_dict") and "end" in exc.error_dict:
        exc.error_dict["last"] = exc.error_dict.pop("end")
    apply_service_errors(form, exc)


@staff_console(action=Action.MANAGE_FACILITY)
def room_nights(request, pk: int):
    """A month of the room type's nights (open / taken) and three range forms: open, close, resize."""
    room_type = stay_selectors.staff_room_type_get(actor=request.user, room_type_id=pk)
    month = month_from(request)
    forms = _night_forms()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in NIGHT_ACTIONS:
            raise PermissionDenied
        forms = _night_forms(request.POST, action)
        form = forms[action]
        if form.is_valid():
            try:
                change = _night_change(request, room_type, action, form)
            except ValidationError as exc:
                _on_form(form, exc)
            except Conflict as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _changed_message(action, change))
                return redirect(f"{request.path}?month={form.cleaned_data['start']:%Y-%m}")
        status = 400
    start = month
    grid = month_context(month, {}, staff=True)
    nights = stay_selectors.room_type_nights(room_type=room_type, start=start, end=grid["month_end"])
    grid = month_context(month, nights, staff=True)
    return _render(request, "frontend/console/stays/nights.html", {
        "room_type": room_type, "forms": forms,
        "grid_caption": _("Rooms taken and open per night in %(month)s") % {"month": month.strftime("%Y-%m")},
        **grid,
    }, key=KEY, status=status)


def _changed_message(action: str, change) -> str:
    n = change.nights
    if action == "open":
        message = ngettext("%(n)d night open.", "%(n)d nights open.", n) % {"n": n}
    elif action == "resize":
        message = ngettext("%(n)d night resized.", "%(n)d nights resized.", n) % {"n": n}
    else:
        message = ngettext("%(n)d night closed to new bookings.", "%(n)d nights closed to new bookings.", n) % {
            "n": n}
    if change.occupied:
        message += " " + _("Guests keep their rooms on: %(days)s.") % {
            "days": ", ".join(day.strftime("%m-%d") for day in change.occupied[:20])}
    return message


# --- arrivals and departures -------------------------------------------------------------------------------------

def _day(request):
    form = DayForm(request.GET)
    if form.is_valid() and form.cleaned_data["date"]:
        return form.cleaned_data["date"]
    if not form.is_valid():
        messages.warning(request, _("That day cannot be shown; here is today."))
    return timezone.localdate()


@staff_console(action=Action.CHECK_IN)
def stays_today(request):
    """The day's arrivals (check in) and departures (check out) across the user's sanatoriums."""
    day = _day(request)
    arrivals, departures = stay_selectors.stays_arriving_and_leaving_for_staff(actor=request.user, day=day)
    return _render(request, "frontend/console/stays/today.html", {
        "day": day, "arrivals": arrivals, "departures": departures, "is_today": day == timezone.localdate(),
        "prev_day": day - timedelta(days=1), "next_day": day + timedelta(days=1),
    }, key=KEY)


def _after_desk(request, stay):
    target = f"{stay.check_in:%Y-%m-%d}" if request.POST.get("day") is None else request.POST.get("day")
    form = DayForm({"date": target})
    day = form.cleaned_data["date"] if form.is_valid() and form.cleaned_data["date"] else timezone.localdate()
    return redirect(f"{reverse('frontend:console:stays_today')}?date={day:%Y-%m-%d}")


@staff_console(action=Action.CHECK_IN)
@require_POST
def stay_check_in(request, pk: int):
    stay = stay_selectors.staff_stay_get(actor=request.user, stay_id=pk)
    try:
        stay = stay_services.stay_check_in(actor=request.user, stay_id=stay.pk)
    except Conflict as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": stay.member.real_name})
    return _after_desk(request, stay)


@staff_console(action=Action.CHECK_IN)
@require_POST
def stay_check_out(request, pk: int):
    stay = stay_selectors.staff_stay_get(actor=request.user, stay_id=pk)
    try:
        stay = stay_services.stay_check_out(actor=request.user, stay_id=stay.pk)
    except Conflict as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("%(name)s is checked out.") % {"name": stay.member.real_name})
    return _after_desk(request, stay)
