"""Member pages for cultural palaces: the list, a palace with its week calendar, and booking a session.

Availability and every booking rule come from bookings.selectors / bookings.services; views only shape pages.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import rules, selectors, services
from bookings.models import Category
from facilities.models import Facility, FacilityKind
from facilities.selectors import facility_get, facility_list, facility_search
from portal.errors import Conflict, NotFound, NotPermitted

from ..filters import PalaceFilter
from ..forms import BookForm, apply_service_errors
from ..utils import local_midnight, page_filters, week_from


def palace_list(request):
    filters = page_filters(request, PalaceFilter(request.GET, queryset=Facility.objects.none()))
    region, q, category = filters["region"] or "", (filters["q"] or "").strip(), filters["category"] or ""
    palaces = facility_search(kind=FacilityKind.PALACE, region=region or None, q=q, category=category)
    regions = {}
    for code, name in facility_list(kind=FacilityKind.PALACE).values_list("region_code", "organisation__name"):
        regions.setdefault(code, name)
    return render(request, "frontend/palaces/list.html", {
        "section": "palaces", "palaces": palaces, "region": region, "q": q, "category": category,
        "regions": sorted(regions.items()), "categories": Category.choices,
    })


def palace_detail(request, pk: int):
    try:
        facility = facility_get(facility_id=pk)
    except NotFound:
        raise Http404
    if facility.kind != FacilityKind.PALACE:
        raise Http404
    week = week_from(request)
    start, end = local_midnight(week), local_midnight(week + timedelta(days=7))
    sessions = list(selectors.session_list(facility=facility, start=max(start, timezone.now()), end=end))
    member = selectors.member_for(request.user)
    verdicts = selectors.session_availability(member=member, sessions=sessions)
    days = []
    for offset in range(7):
        day = week + timedelta(days=offset)
        if day < timezone.localdate():
            continue  # the days of this week that are over
        days.append({"date": day, "today": day == timezone.localdate(),
                     "sessions": [s for s in sessions if timezone.localtime(s.start).date() == day]})
    return render(request, "frontend/palaces/detail.html", {
        "section": "palaces", "facility": facility, "days": days, "verdicts": verdicts, "member": member,
        "week": week, "prev_week": week - timedelta(days=7), "next_week": week + timedelta(days=7),
        "is_current_week": week <= timezone.localdate() < week + timedelta(days=7),
    })


def _session_or_404(pk: int):
    session = selectors.session_list(start=timezone.now() - timedelta(days=1)).filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


@login_required
def session_book(request, pk: int):
    """Seats, price and rules before confirming; POST books through bookings.services.booking_create."""
    session = _session_or_404(pk)
    member = selectors.member_for(request.user)
    verdict = selectors.session_availability(member=member, sessions=[session])[session.pk]
    activity = session.activity
    form = BookForm(request.POST or None, max_seats=activity.max_seats_per_booking)
    status = 200
    if request.method == "POST" and form.is_valid():
        if member is None:
            raise Http404
        try:
            booking = services.booking_create(member=member, session_id=session.pk, seats=form.cleaned_data["seats"],
                                              waitlist=form.cleaned_data["waitlist"] or verdict.mode == "waitlist")
        except ValidationError as exc:
            apply_service_errors(form, exc)
            status = 400
        except (Conflict, NotPermitted) as exc:
            messages.error(request, exc.detail)
            status = exc.status_code
            session.refresh_from_db()
            verdict = selectors.session_availability(member=member, sessions=[session])[session.pk]
        else:
            messages.success(request, _booked_message(booking))
            return redirect("frontend:booking_detail", pk=booking.pk)
    return render(request, "frontend/palaces/book.html", {
        "section": "palaces", "session": session, "activity": activity, "verdict": verdict, "form": form,
        "member": member, "cancel_deadline": rules.cancel_deadline(activity, session),
        "window": rules.booking_window(activity, session),
    }, status=status)


def _booked_message(booking) -> str:
    return {
        "confirmed": _("Booked. Show this ticket at the door."),
        "pending_payment": _("Your seat is held. Payment is pending."),
        "waitlisted": _("You are on the waitlist. We will tell you when a seat is free."),
        "interest": _("You are registered for the ballot. We will tell you the result."),
    }.get(booking.status, _("Saved."))

