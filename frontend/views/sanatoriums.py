"""Member pages for sanatoriums: the list, a sanatorium with its room types and stay rules, a room type's month
of nights, booking a stay (form, then the price split to confirm), my stays, a stay, and cancelling it.

Availability, prices, the subsidy split and every stay rule come from facilities / bookings selectors and
services; views only shape pages.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from bookings import stay_rules, stay_selectors
from bookings.services import stays as stay_services
from facilities.models import FacilityKind
from facilities.selectors import facility_list
from portal.errors import Conflict, DomainError, NotFound, NotPermitted
from portal.members.selectors import member_for_user, member_require

from ..forms import apply_service_errors
from ..stay_forms import MonthForm, StayForm

SHORT_WEEKDAYS = [pgettext_lazy("weekday", "Mon"), pgettext_lazy("weekday", "Tue"), pgettext_lazy("weekday", "Wed"),
                  pgettext_lazy("weekday", "Thu"), pgettext_lazy("weekday", "Fri"), pgettext_lazy("weekday", "Sat"),
                  pgettext_lazy("weekday", "Sun")]
MONTHS_AHEAD = 12  # the month grids go this far ahead of this month


# --- shaping helpers (shared with the console pages) -----------------------------------------------------------

def month_from(request, *, earliest: date | None = None, latest: date | None = None) -> date:
    """The first day of the month asked for by `?month=YYYY-MM`; this month (with a message saying why) when the
    value is not a month or lies outside [earliest, latest]."""
    this_month = timezone.localdate().replace(day=1)
    earliest = earliest or this_month
    latest = latest or _add_months(this_month, MONTHS_AHEAD)
    form = MonthForm(request.GET)
    if not form.is_valid():
        messages.warning(request, _("That month cannot be shown; here is this month."))
        return this_month
    month = form.cleaned_data["month"]
    if month is None:
        return this_month
    if not earliest <= month <= latest:
        messages.warning(request, _("That month cannot be shown; here is this month."))
        return this_month
    return month


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_context(month: date, nights: dict, *, staff: bool = False, months_ahead: int = MONTHS_AHEAD) -> dict:
    """The month grid: weeks of 7 cells (None outside the month), each night's state and rooms left.
    `nights` maps a date to (rooms_open, rooms_taken); a night missing from it is not open."""
    today = timezone.localdate()
    days_in_month = calendar.monthrange(month.year, month.month)[1]
    cells: list[dict | None] = [None] * month.weekday()
    for offset in range(days_in_month):
        day = month + timedelta(days=offset)
        opened, taken = nights.get(day, (0, 0))
        left = max(opened - taken, 0)
        if day < today and not staff:
            state = "past"
        elif opened == 0 and taken == 0:
            state = "closed"
        elif left == 0:
            state = "full"
        else:
            state = "open"
        cells.append({"date": day, "state": state, "left": left, "today": day == today,
                      "open": opened if staff else None, "taken": taken if staff and opened else None})
    cells += [None] * (-len(cells) % 7)
    this_month = today.replace(day=1)
    prev_month = _add_months(month, -1)
    next_month = _add_months(month, 1)
    return {
        "month": month, "weeks": [cells[i:i + 7] for i in range(0, len(cells), 7)],
        "weekdays": [(SHORT_WEEKDAYS[i], WEEKDAYS[i]) for i in range(7)],
        "prev_month": prev_month if prev_month >= this_month else None,
        "next_month": next_month if next_month <= _add_months(this_month, months_ahead) else None,
        "month_end": month + timedelta(days=days_in_month),
    }


def subsidy_rule(policy) -> list[str]:
    """The sanatorium's subsidy split in words, as the member reads it before booking."""
    if policy is None:
        return []
    sentences = []
    free = policy.free_member_nights_per_year
    if free:
        sentences.append(ngettext("Your own first %(n)d night each year is free.",
                                  "Your own first %(n)d nights each year are free.", free) % {"n": free})
    member = policy.member_subsidy_percent
    if member >= 100:
        sentences.append(_("The union pays for all your further nights.") if free else
                         _("The union pays for all your own nights."))
    elif member:
        sentences.append((_("The union pays %(p)d%% of your further nights.") if free else
                          _("The union pays %(p)d%% of your own nights.")) % {"p": member})
    else:
        sentences.append(_("You pay your further nights at the member price.") if free else
                         _("You pay your own nights at the member price."))
    companion = policy.companion_subsidy_percent
    if companion >= 100:
        sentences.append(_("The union pays for family members' nights."))
    elif companion:
        sentences.append(_("The union pays %(p)d%% of family members' nights.") % {"p": companion})
    else:
        sentences.append(_("Family members pay the companion price."))
    return sentences


def apply_domain_error(form, exc: DomainError) -> None:
    """A service's refusal on the form: on the fields it names (nights not open -> the dates), else on top."""
    placed = False
    for field, errors in (exc.errors or {}).items():
        if field in form.fields:
            form.add_error(field, errors)
            placed = True
    if not placed:
        form.add_error(None, exc.detail)


# --- sanatoriums -----------------------------------------------------------------------------------------------

def sanatorium_list(request):
    facilities = list(facility_list(kind=FacilityKind.SANATORIUM))
    summaries = stay_selectors.room_type_summaries(facilities=facilities)
    rows = [{"facility": f, **summaries.get(f.pk, {"room_types": 0, "from_fen": None, "currency": "CNY"})}
            for f in facilities]
    return render(request, "frontend/sanatoriums/list.html", {"section": "sanatoriums", "rows": rows})


def _sanatorium(pk: int):
    facility = facility_list(kind=FacilityKind.SANATORIUM).filter(pk=pk).first()
    if facility is None:
        raise NotFound()
    return facility


def sanatorium_detail(request, pk: int):
    facility = _sanatorium(pk)
    policy = stay_selectors.stay_policy_for(facility=facility)
    return render(request, "frontend/sanatoriums/detail.html", {
        "section": "sanatoriums", "facility": facility, "policy": policy, "subsidy_rule": subsidy_rule(policy),
        "room_types": stay_selectors.room_type_list(facility=facility),
    })


def room_type_detail(request, pk: int):
    """A room type with its photos and a month of nights: rooms left per night (`?month=YYYY-MM`)."""
    room_type = stay_selectors.room_type_get(room_type_id=pk)
    facility = room_type.facility
    policy = stay_selectors.stay_policy_for(facility=facility)
    horizon = policy.booking_horizon_days if policy else 0
    months_ahead = min(MONTHS_AHEAD, horizon // 28 + 1)
    month = month_from(request, latest=_add_months(timezone.localdate().replace(day=1), months_ahead))
    grid = month_context(month, {}, months_ahead=months_ahead)
    nights = stay_selectors.room_type_nights(room_type=room_type, start=month, end=grid["month_end"])
    grid = month_context(month, nights, months_ahead=months_ahead)
    member = member_for_user(user=request.user) if request.user.is_authenticated else None
    return render(request, "frontend/sanatoriums/room_type.html", {
        "section": "sanatoriums", "room_type": room_type, "facility": facility, "policy": policy,
        "subsidy_rule": subsidy_rule(policy), "member": member,
        "can_book": policy is not None and member is not None and member.is_verified,
        "grid_caption": _("Rooms left per night in %(month)s") % {"month": month.strftime("%Y-%m")}, **grid,
    })


# --- booking ---------------------------------------------------------------------------------------------------

@login_required
def stay_book(request, pk: int):
    """Step 1: dates, rooms, guests. Step 2 ("step=quote"): the price split from the same service that books,
    then "step=confirm" books; "step=edit" goes back to the form with the same values."""
    room_type = stay_selectors.room_type_get(room_type_id=pk)
    member = member_for_user(user=request.user)  # None: an account without a member profile (the page says so)
    facility = room_type.facility
    policy = stay_selectors.stay_policy_for(facility=facility)
    form = StayForm(request.POST or None, dependants=list(member.dependants.all()) if member else [],
                    initial={"check_in": timezone.localdate() + timedelta(days=1),
                             "check_out": timezone.localdate() + timedelta(days=3)})
    quote = None
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "quote")
        status = 400
        if form.is_valid() and step != "edit":
            member = member_require(user=request.user)
            kwargs = dict(member=member, room_type_id=room_type.pk, check_in=form.cleaned_data["check_in"],
                          check_out=form.cleaned_data["check_out"], rooms=form.cleaned_data["rooms"],
                          dependant_ids=form.dependant_ids())
            try:
                if step == "confirm":
                    stay = stay_services.stay_create(**kwargs)
                    messages.success(request, _booked_message(stay))
                    return redirect("frontend:stay_detail", pk=stay.pk)
                quote = stay_services.stay_quote(**kwargs)
                status = 200
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except (Conflict, NotPermitted) as exc:
                apply_domain_error(form, exc)
                status = exc.status_code
        elif step == "edit":
            status = 200
    context = {
        "section": "sanatoriums", "room_type": room_type, "facility": facility, "policy": policy, "form": form,
        "member": member, "quote": quote, "hold_minutes": settings.BOOKING_HOLD_MINUTES,
    }
    if quote is not None:
        context.update({"price": quote.price, "guest_names": [g.name for g in quote.guests],
                        "cancel_deadline": stay_rules.cancel_deadline(check_in=quote.check_in, policy=quote.policy)})
    return render(request, "frontend/stays/book.html", context, status=status)


def _booked_message(stay) -> str:
    if stay.status == "pending_payment":
        return _("Your rooms are held: please pay your share to confirm the stay.")
    return _("Your stay is booked.")


# --- my stays --------------------------------------------------------------------------------------------------

@login_required
def stay_list(request):
    member = member_require(user=request.user)
    today = timezone.localdate()
    upcoming, past = [], []
    for stay in stay_selectors.stay_list(member=member):
        if stay.status in ("pending_payment", "confirmed", "checked_in") and stay.check_out >= today:
            upcoming.append(stay)
        else:
            past.append(stay)
    upcoming.sort(key=lambda s: s.check_in)
    return render(request, "frontend/stays/list.html", {"section": "stays", "upcoming": upcoming,
                                                        "past": past[:50]})


@login_required
def stay_detail(request, pk: int):
    member = member_require(user=request.user)
    stay = stay_selectors.stay_get(member=member, stay_id=pk)
    deadline = stay_selectors.stay_cancel_deadline(stay=stay)
    open_ = stay.status in ("pending_payment", "confirmed")
    now = timezone.now()
    return render(request, "frontend/stays/detail.html", {
        "section": "stays", "stay": stay, "room_type": stay.room_type, "facility": stay.room_type.facility,
        "nights": stay.nights, "guest_names": [g.name for g in stay.guests.all()],
        "payment": getattr(stay, "payment", None), "cancel_deadline": deadline,
        "can_cancel": open_ and now < deadline, "cancel_over": open_ and now >= deadline,
    })


@login_required
def stay_cancel(request, pk: int):
    """GET states the deadline; POST cancels through the service (which refuses after the deadline)."""
    member = member_require(user=request.user)
    stay = stay_selectors.stay_get(member=member, stay_id=pk)
    if request.method == "POST":
        try:
            stay_services.stay_cancel(member=member, stay_id=stay.pk)
        except Conflict as exc:
            messages.error(request, exc.detail)
            return redirect("frontend:stay_detail", pk=stay.pk)
        messages.success(request, _("Your stay is cancelled; the rooms are free again."))
        return redirect("frontend:stay_list")
    return render(request, "frontend/stays/cancel.html", {
        "section": "stays", "stay": stay, "cancel_deadline": stay_selectors.stay_cancel_deadline(stay=stay),
    })
