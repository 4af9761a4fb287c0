"""Member pages for cultural palaces: the list, a palace with its week calendar, and booking a session.

Availability and every booking rule come from bookings.selectors / bookings.services; views only shape pages.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import rules, selectors, services
from bookings.models import Category
from facilities.models import Facility, FacilityKind
from facilities.selectors import facility_get, facility_list, facility_search
from portal.errors import Conflict, NotFound, NotPermitted
from portal.members.selectors import member_require

from ..filters import PalaceFilter
from ..forms import BookForm, apply_service_errors
from ..utils import local_midnight, page_filters, week_from, week_start


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


def _opening_week(facility) -> tuple:
    """This week, or the week of the next session when nothing is left this week (say, on a Sunday evening).
    Returns (Monday, whether it jumped ahead)."""
    week = week_start(None)
    upcoming = selectors.next_session_start(facility=facility)
    if upcoming is not None:
        day = timezone.localtime(upcoming).date()
        if day >= week + timedelta(days=7):
            return day - timedelta(days=day.weekday()), True
    return week, False


def palace_detail(request, pk: int):
    facility = facility_get(facility_id=pk)
    if facility.kind != FacilityKind.PALACE:
        raise NotFound()
    jumped = False
    if request.GET.get("week"):
        week = week_from(request)
    else:
        week, jumped = _opening_week(facility)
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
        "is_current_week": week <= timezone.localdate() < week + timedelta(days=7), "jumped": jumped,
    })


def _session(pk: int):
    session = selectors.session_list(start=timezone.now() - timedelta(days=1)).filter(pk=pk).first()
    if session is None:
        raise NotFound()
    return session


@login_required
def session_book(request, pk: int):
    """Seats, price and rules before confirming; POST books through bookings.services.booking_create."""
    session = _session(pk)
    member = selectors.member_for(request.user)
    verdict = selectors.session_availability(member=member, sessions=[session])[session.pk]
    activity = session.activity
    form = BookForm(request.POST or None, max_seats=activity.max_seats_per_booking)
    status = 200
    if request.method == "POST" and form.is_valid():
        member = member_require(user=request.user)
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
    deadline = rules.cancel_deadline(activity, session)
    return render(request, "frontend/palaces/book.html", {
        "section": "palaces", "session": session, "activity": activity, "verdict": verdict, "form": form,
        "member": member, "cancel_deadline": deadline, "free_cancel_over": timezone.now() >= deadline,
        "window": rules.booking_window(activity, session), "hold_minutes": settings.BOOKING_HOLD_MINUTES,
    }, status=status)


def _booked_message(booking) -> str:
    if booking.status == "pending_payment":
        return _("Your seat is held for %(minutes)d minutes: please complete payment in that time.") % {
            "minutes": settings.BOOKING_HOLD_MINUTES}
    if booking.status == "waitlisted" and getattr(booking, "queue_place", None):
        return _("You are on the waitlist, number %(place)d in the queue. We will tell you when a seat is "
                 "free.") % {"place": booking.queue_place}
    return {
        "confirmed": _("Booked. Show this ticket at the door."),
        "waitlisted": _("You are on the waitlist. We will tell you when a seat is free."),
        "interest": _("You are registered for the ballot. We will tell you the result."),
    }.get(booking.status, _("Saved."))

