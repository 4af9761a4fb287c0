"""My bookings, the ticket with its QR code, cancelling, waitlist offers and the calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings import rules, selectors, services
from bookings.models import ACTIVE_STATUSES, BookingStatus
from bookings.services.calendar import ICS_STATUSES, booking_ical
from portal.errors import Conflict
from portal.members.selectors import member_require
from portal.qr import qr_svg

UPCOMING_STATUSES = set(ACTIVE_STATUSES)


@login_required
def booking_list(request):
    member = selectors.member_for(request.user)
    now = timezone.now()
    offers, upcoming, past = [], [], []
    suspension = None
    if member is not None:
        for booking in selectors.booking_list(member=member):
            if booking.status == BookingStatus.OFFERED:
                offers.append(booking)
            elif booking.status in UPCOMING_STATUSES and booking.session.end > now:
                upcoming.append(booking)
            else:
                past.append(booking)
        upcoming.sort(key=lambda b: b.session.start)
        suspension = services.active_suspension(member, now)
    return render(request, "frontend/bookings/list.html", {
        "section": "bookings", "member": member, "offers": offers, "upcoming": upcoming, "past": past[:30],
        "suspension": suspension,
    })


@login_required
def booking_detail(request, pk: int):
    member = member_require(user=request.user)
    booking = selectors.booking_get(member=member, booking_id=pk)
    session = booking.session
    now = timezone.now()
    can_cancel = booking.status in UPCOMING_STATUSES and booking.status != BookingStatus.LATE_CANCELLED \
        and session.start > now
    deadline = rules.cancel_deadline(session.activity, session)
    return render(request, "frontend/bookings/detail.html", {
        "section": "bookings", "booking": booking, "session": session, "activity": session.activity,
        "qr": qr_svg(booking.ticket_code) if booking.ticket_code and booking.status == BookingStatus.CONFIRMED
        else None,
        "cancel_deadline": deadline, "free_cancel_over": now >= deadline, "can_cancel": can_cancel,
        "now": now, "has_ics": booking.status in ICS_STATUSES and session.status == "scheduled",
        "hold_minutes": settings.BOOKING_HOLD_MINUTES,
    })


@login_required
def booking_ics(request, pk: int):
    """"Add to calendar" for one booking: an .ics file built by the same code as the member's feed."""
    body = booking_ical(member=member_require(user=request.user), booking_id=pk)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booking-{pk}.ics"'
    return response


@login_required
def booking_cancel(request, pk: int):
    """GET states the deadline first; POST cancels through the service (which decides late or not)."""
    member = member_require(user=request.user)
    booking = selectors.booking_get(member=member, booking_id=pk)
    session = booking.session
    deadline = rules.cancel_deadline(session.activity, session)
    if request.method == "POST":
        try:
            booking = services.booking_cancel(member=member, booking_id=booking.pk)
        except Conflict as exc:
            messages.error(request, exc.detail)
        else:
            if booking.status == BookingStatus.LATE_CANCELLED:
                messages.warning(request, _("Cancelled after the deadline: this counts as a late cancellation."))
            else:
                messages.success(request, _("Your booking is cancelled."))
        return redirect("frontend:booking_list")
    return render(request, "frontend/bookings/cancel.html", {
        "section": "bookings", "booking": booking, "session": session, "deadline": deadline,
        "late": timezone.now() >= deadline and booking.status == BookingStatus.CONFIRMED,
    })


def _offer_action(request, pk: int, fn, done: str):
    member = member_require(user=request.user)
    try:
        booking = fn(member=member, booking_id=pk)
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("frontend:booking_list")
    messages.success(request, done)
    return redirect("frontend:booking_detail", pk=booking.pk)


@login_required
@require_POST
def offer_accept(request, pk: int):
    return _offer_action(request, pk, services.offer_accept, _("The seat is yours."))


@login_required
@require_POST
def offer_decline(request, pk: int):
    return _offer_action(request, pk, services.offer_decline, _("Offer declined; the seat passes on."))


@login_required
def calendar_feed(request):
    """The member's private iCalendar URL: shown, rotated (old URL stops working) or revoked."""
    member = member_require(user=request.user)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(member=member)
            messages.success(request, _("Your calendar link is switched off."))
            return redirect("frontend:profile")
        services.calendar_feed_rotate(member=member)
        messages.success(request, _("You have a new calendar link; the old one no longer works."))
        return redirect("frontend:calendar_feed")
    feed = services.calendar_feed_get_or_create(member=member)
    url = request.build_absolute_uri(reverse("calendar-feed", args=[feed.token]))
    return render(request, "frontend/bookings/calendar.html", {
        "section": "bookings", "url": url, "webcal": "webcal://" + url.split("://", 1)[1],
    })
