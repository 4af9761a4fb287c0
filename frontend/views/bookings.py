"""My bookings, the ticket with its QR code, cancelling, waitlist offers and the calendar feed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings import rules, selectors, services
from bookings.models import ACTIVE_STATUSES, BookingStatus
from bookings.services.calendar import FEED_STATUSES, booking_ical
from portal.errors import Conflict, NotFound
from portal.qr import qr_svg

UPCOMING_STATUSES = set(ACTIVE_STATUSES)


def _member(request):
    member = selectors.member_for(request.user)
    if member is None:
        raise Http404
    return member


def _booking(member, pk: int):
    try:
        return selectors.booking_get(member=member, booking_id=pk)
    except NotFound:
        raise Http404


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
    member = _member(request)
    booking = _booking(member, pk)
    session = booking.session
    can_cancel = booking.status in UPCOMING_STATUSES and booking.status != BookingStatus.LATE_CANCELLED \
        and session.start > timezone.now()
    return render(request, "frontend/bookings/detail.html", {
        "section": "bookings", "booking": booking, "session": session, "activity": session.activity,
        "qr": qr_svg(booking.ticket_code) if booking.ticket_code and booking.status == BookingStatus.CONFIRMED
        else None,
        "cancel_deadline": rules.cancel_deadline(session.activity, session), "can_cancel": can_cancel,
        "now": timezone.now(), "has_ics": booking.status in FEED_STATUSES,
    })


@login_required
def booking_ics(request, pk: int):
    """"Add to calendar" for one booking: an .ics file built by the same code as the member's feed."""
    member = _member(request)
    try:
        body = booking_ical(member=member, booking_id=pk)
    except NotFound:
        raise Http404
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booking-{pk}.ics"'
    return response


@login_required
def booking_cancel(request, pk: int):
    """GET states the deadline first; POST cancels through the service (which decides late or not)."""
    member = _member(request)
    booking = _booking(member, pk)
    session = booking.session
    deadline = rules.cancel_deadline(session.activity, session)
    if request.method == "POST":
        try:
            booking = services.booking_cancel(member=member, booking_id=booking.pk)
        except NotFound:
            raise Http404
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
    member = _member(request)
    try:
        booking = fn(member=member, booking_id=pk)
    except NotFound:
        raise Http404
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
    member = _member(request)
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
