"""Staff console for cultural palaces: facilities, activities, scheduling, sessions, rosters, check-in.

Reads and writes go through facilities.selectors, bookings.selectors and bookings.services; permissions
come from portal.members.permissions. A view never checks a capacity, a window or a quota itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookings import rules, selectors, services
from bookings.models import ACTIVE_STATUSES, BookingStatus
from facilities.selectors import facility_list_for_staff, venue_list_for_staff
from portal import exports
from portal.errors import Conflict, NotFound, NotPermitted
from portal.members.permissions import Action
from portal.privacy import mask_phone

from ..access import staff_console
from ..forms import (
    ActivityForm,
    CapacityForm,
    CheckinForm,
    ScheduleForm,
    SessionCancelForm,
    SessionMoveForm,
    WalkInForm,
    apply_service_errors,
    service_submit,
)
from ..utils import local_midnight, week_from
from .console import _render

# --- Activities ---------------------------------------------------------------------------------------------

@staff_console(action=Action.MANAGE_ACTIVITY)
def activities(request):
    return _render(request, "frontend/console/activities.html", {
        "activities": selectors.activity_overview_for_staff(actor=request.user),
    }, key="activities")


def _activity_form(request, instance=None):
    facilities_qs = facility_list_for_staff(actor=request.user, action=Action.MANAGE_ACTIVITY)
    venues = venue_list_for_staff(actor=request.user)
    return ActivityForm(request.POST or None, instance=instance, facilities=facilities_qs, venues=venues)


@staff_console(action=Action.MANAGE_ACTIVITY)
def activity_create(request):
    form = _activity_form(request)
    if request.method == "POST" and form.is_valid():
        ok, activity = service_submit(form, lambda: services.activity_create(
            actor=request.user, facility=form.cleaned_data["facility"], **form.service_data()))
        if ok:
            messages.success(request, _("Activity created. Now schedule its sessions."))
            return redirect("frontend:console:activity_schedule", pk=activity.pk)
    return _render(request, "frontend/console/activity_form.html", {"form": form, "activity": None},
                   key="activities", status=400 if request.method == "POST" else 200)


@staff_console(action=Action.MANAGE_ACTIVITY)
def activity_detail(request, pk: int):
    activity = selectors.activity_get_for_staff(actor=request.user, activity_id=pk)
    waiting = selectors.activity_waiting_counts(activity=activity)
    form = _activity_form(request, instance=activity)
    _warn_waiting(form, waiting)
    if request.method == "POST" and form.is_valid():
        ok, saved = service_submit(form, lambda: services.activity_update(
            actor=request.user, activity=activity, data=form.service_data()))
        if ok:
            messages.success(request, _("Activity saved."))
            closed = (waiting["waitlisted"] if not saved.waitlist_enabled else 0) + \
                     (waiting["interest"] if not saved.ballot else 0)
            if closed:
                messages.info(request, ngettext(
                    "%(n)d member who was waiting (waitlist or ballot) has been told their place is closed.",
                    "%(n)d members who were waiting (waitlist or ballot) have been told their places are closed.",
                    closed) % {"n": closed})
            return redirect("frontend:console:activity_detail", pk=activity.pk)
    return _render(request, "frontend/console/activity_detail.html", {
        "activity": activity, "form": form, "waiting": waiting,
        "sessions": selectors.activity_recent_sessions(activity=activity),
    }, key="activities", status=400 if request.method == "POST" else 200)


def _warn_waiting(form, waiting: dict) -> None:
    """Say beside the two switches what turning them off does to the members waiting."""
    if waiting["waitlisted"]:
        form.fields["waitlist_enabled"].help_text = ngettext(
            "%(n)d member is on a waitlist of an upcoming session: switching the waitlist off cancels that place "
            "and tells them.",
            "%(n)d members are on waitlists of upcoming sessions: switching the waitlist off cancels their "
            "places and tells them.", waiting["waitlisted"]) % {"n": waiting["waitlisted"]}
    if waiting["interest"]:
        form.fields["ballot"].help_text = ngettext(
            "%(n)d member is registered for a ballot: switching the ballot off cancels that registration and "
            "tells them.",
            "%(n)d members are registered for ballots: switching the ballot off cancels their registrations and "
            "tells them.", waiting["interest"]) % {"n": waiting["interest"]}


def _local(moment: datetime) -> datetime:
    """A datetime-local form value is wall-clock time in Asia/Shanghai."""
    return timezone.make_aware(moment.replace(tzinfo=None), rules.LOCAL_TZ)


class _Preview(Exception):
    """Raised inside the preview transaction so the generated sessions are rolled back."""

    def __init__(self, sessions):
        self.sessions = sessions


@staff_console(action=Action.MANAGE_ACTIVITY)
def activity_schedule(request, pk: int):
    """Sessions from a recurrence rule. "Preview" runs the service in a rolled-back transaction."""
    activity = selectors.activity_get_for_staff(actor=request.user, activity_id=pk)
    venues = venue_list_for_staff(actor=request.user, facility=activity.facility)
    form = ScheduleForm(request.POST or None, venues=venues, initial={"venue": activity.venue})
    preview = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            kwargs = dict(actor=request.user, activity=activity, rrule=data["rrule"],
                          first_start=_local(data["first_start"]),
                          duration_minutes=data["duration_minutes"], capacity=data["capacity"],
                          venue=data["venue"], exdates=data["exdates"])
            try:
                if "save" in request.POST:
                    created = services.sessions_generate(**kwargs)
                    messages.success(request, _("%(n)d sessions scheduled.") % {"n": len(created)})
                    return redirect("frontend:console:activity_detail", pk=activity.pk)
                try:
                    with transaction.atomic():
                        raise _Preview(services.sessions_generate(**kwargs))
                except _Preview as result:
                    preview = result.sessions
                    status = 200
            except ValidationError as exc:
                apply_service_errors(form, exc)
    return _render(request, "frontend/console/activity_schedule.html", {
        "activity": activity, "form": form, "preview": preview,
    }, key="activities", status=status)


# --- Sessions -----------------------------------------------------------------------------------------------

@staff_console(action=Action.MANAGE_ACTIVITY)
def session_calendar(request):
    """A week of sessions across the user's facilities with fill rates."""
    week = week_from(request)
    sessions = selectors.session_week_for_staff(actor=request.user, start=local_midnight(week))
    days = [{"date": week + timedelta(days=i), "today": week + timedelta(days=i) == timezone.localdate(),
             "sessions": [s for s in sessions if timezone.localtime(s.start).date() == week + timedelta(days=i)]}
            for i in range(7)]
    return _render(request, "frontend/console/calendar.html", {
        "days": days, "week": week, "prev_week": week - timedelta(days=7), "next_week": week + timedelta(days=7),
    }, key="activities")


def _roster(request, session):
    try:
        return list(selectors.session_bookings_for_staff(actor=request.user, session_id=session.pk))
    except NotFound:  # may schedule but not see bookings: the page works without the roster
        return []


@staff_console(action=Action.MANAGE_ACTIVITY)
def session_detail(request, pk: int):
    session = selectors.session_for_staff(actor=request.user, session_id=pk)
    roster = _roster(request, session)
    affected = [b for b in roster if b.status in ACTIVE_STATUSES]
    capacity_form = CapacityForm(initial={"capacity": session.capacity})
    cancel_form = SessionCancelForm()
    venues = venue_list_for_staff(actor=request.user, facility=session.activity.facility)
    move_form = SessionMoveForm(venues=venues, initial={
        "start": timezone.localtime(session.start), "end": timezone.localtime(session.end), "venue": session.venue})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "capacity":
                capacity_form = CapacityForm(request.POST)
                if capacity_form.is_valid():
                    services.session_change_capacity(actor=request.user, session_id=session.pk,
                                                     capacity=capacity_form.cleaned_data["capacity"])
                    messages.success(request, _("Capacity changed."))
                    return redirect("frontend:console:session_detail", pk=session.pk)
            elif action == "cancel":
                cancel_form = SessionCancelForm(request.POST)
                if cancel_form.is_valid():
                    services.session_cancel(actor=request.user, session_id=session.pk,
                                            reason=cancel_form.cleaned_data["reason"])
                    n = len(affected)
                    messages.success(request, ngettext("Session cancelled; %(n)d member has been told.",
                                                       "Session cancelled; %(n)d members have been told.", n)
                                     % {"n": n})
                    return redirect("frontend:console:session_detail", pk=session.pk)
            elif action == "move":
                move_form = SessionMoveForm(request.POST, venues=venues)
                if move_form.is_valid():
                    data = move_form.cleaned_data
                    services.session_move(actor=request.user, session_id=session.pk,
                                          start=_local(data["start"]), end=_local(data["end"]), venue=data["venue"])
                    messages.success(request, _("Session moved; booked members have been told."))
                    return redirect("frontend:console:session_detail", pk=session.pk)
            elif action == "ballot":
                winners = services.ballot_draw(session_id=session.pk)
                session.refresh_from_db()
                if session.ballot_drawn_at:
                    messages.success(request, _("Ballot drawn: %(n)d places given.") % {"n": len(winners)})
                else:
                    messages.info(request, _("The ballot can only be drawn once booking has closed."))
                return redirect("frontend:console:session_detail", pk=session.pk)
        except ValidationError as exc:
            apply_service_errors({"capacity": capacity_form, "move": move_form}.get(action, cancel_form), exc)
        except Conflict as exc:
            messages.error(request, exc.detail)
            return redirect("frontend:console:session_detail", pk=session.pk)
        status = 400
    ballot = sorted((b for b in roster if b.ballot_rank), key=lambda b: b.ballot_rank)
    return _render(request, "frontend/console/session_detail.html", {
        "session": session, "activity": session.activity, "roster": roster, "affected": len(affected),
        "holders": selectors.session_holder_counts(bookings=affected),
        "checked_in": sum(1 for b in roster if b.checked_in_at),
        "waitlist": [b for b in roster if b.status == BookingStatus.WAITLISTED],
        "capacity_form": capacity_form, "cancel_form": cancel_form, "move_form": move_form, "ballot": ballot,
        "booking_closes": rules.booking_window(session.activity, session)[1],
    }, key="activities", status=status)


@staff_console(action=Action.VIEW_BOOKINGS)
def session_roster(request, pk: int, fmt: str = "html"):
    """The roster as a print view, CSV or XLSX (portal.exports: formula-safe cells)."""
    session = selectors.session_for_staff(actor=request.user, session_id=pk, action=Action.VIEW_BOOKINGS)
    roster = list(selectors.session_bookings_for_staff(actor=request.user, session_id=pk))
    if fmt in exports.FORMATS:
        header = [_("Name"), _("Member number"), _("Phone"), _("Seats"), _("Status"), _("Checked in")]
        rows = ([b.member.real_name, b.member.member_number, mask_phone(b.member.user.phone), b.seats,
                 b.get_status_display(),
                 timezone.localtime(b.checked_in_at).strftime("%H:%M") if b.checked_in_at else ""] for b in roster)
        filename = f"{session.activity.title}-{timezone.localtime(session.start):%Y%m%d-%H%M}-{_('Roster')}"
        return exports.export_response(fmt, filename, header, rows, sheet_title=_("Roster"))
    return _render(request, "frontend/console/roster.html", {"session": session, "roster": roster},
                   key="activities")


# --- Check-in -----------------------------------------------------------------------------------------------

def _checkin_result(request, code: str) -> dict:
    try:
        booking = services.checkin(actor=request.user, code=code)
    except ValidationError as exc:
        return {"kind": "error", "title": _("No code"), "detail": " ".join(exc.messages)}
    except NotFound as exc:
        return {"kind": "error", "title": _("Unknown ticket"), "detail": exc.detail}
    except NotPermitted as exc:
        return {"kind": "error", "title": _("Not this facility"), "detail": exc.detail}
    except Conflict as exc:
        if exc.code == "already_checked_in":
            return {"kind": "warn", "title": _("Already checked in"), "detail": exc.detail}
        return {"kind": "error", "title": _("Not valid"), "detail": exc.detail}
    session = booking.session
    return {"kind": "ok", "title": _("Checked in"), "name": booking.member.real_name, "seats": booking.seats,
            "detail": f"{session.activity.title} · {timezone.localtime(session.start):%m-%d %H:%M}"}


def _walkin_form(request, data=None) -> WalkInForm:
    """Venue and session choices follow the chosen facility (htmx reloads the form when it changes);
    with one facility it is chosen already. The service checks that venue and session belong to it."""
    facilities_qs = facility_list_for_staff(actor=request.user, action=Action.CHECK_IN)
    venues = venue_list_for_staff(actor=request.user, action=Action.CHECK_IN).filter(active=True)
    sessions = selectors.sessions_today_for_staff(actor=request.user, action=Action.CHECK_IN)
    source = data if data is not None else request.GET
    try:  # the chosen facility, read like any other input (an unknown or foreign id is simply not a choice)
        chosen = forms.ModelChoiceField(queryset=facilities_qs, required=False).clean(source.get("facility"))
    except ValidationError:
        chosen = None
    facility_id = str(chosen.pk) if chosen else ""
    if not facility_id:
        only = list(facilities_qs[:2])
        facility_id = str(only[0].pk) if len(only) == 1 else ""
    if facility_id:
        venues = venues.filter(facility_id=int(facility_id))
        sessions = sessions.filter(activity__facility_id=int(facility_id))
    form = WalkInForm(data, facilities=facilities_qs, venues=venues, sessions=sessions, today=timezone.localdate(),
                      initial={"facility": facility_id or None})
    form.fields["facility"].widget.attrs.update({
        "hx-get": reverse("frontend:console:checkin"), "hx-trigger": "change", "hx-target": "#walkin-form",
        "hx-swap": "outerHTML", "hx-include": "closest form"})
    return form


@staff_console(action=Action.CHECK_IN)
def checkin(request):
    form = CheckinForm()
    walkin_form = _walkin_form(request)
    result = None
    status = 200
    if request.method == "GET" and request.htmx and "facility" in request.GET:
        return _render(request, "frontend/console/checkin.html#walkin", {"walkin_form": walkin_form},
                       key="checkin")
    if request.method == "POST" and request.POST.get("action") == "walkin":
        walkin_form = _walkin_form(request, request.POST)
        if walkin_form.is_valid():
            data = walkin_form.cleaned_data
            try:
                services.walkin_record(actor=request.user, facility=data["facility"], persons=data["persons"],
                                       venue=data["venue"], session=data["session"], day=data["date"],
                                       note=data["note"])
            except ValidationError as exc:
                apply_service_errors(walkin_form, exc)
                status = 400
            except NotFound:  # a facility outside the user's subtrees: refused, not "absent"
                raise NotPermitted() from None
            else:
                messages.success(request, _("%(n)d people counted.") % {"n": data["persons"]})
                return redirect("frontend:console:checkin")
        else:
            status = 400
    elif request.method == "POST":
        code_form = CheckinForm(request.POST)
        if code_form.is_valid() or not request.POST.get("code", "").strip():
            result = _checkin_result(request, code_form.cleaned_data.get("code", ""))
        else:  # too long, or bytes no ticket holds (NUL)
            result = {"kind": "error", "title": _("Not valid"), "detail": " ".join(code_form.errors["code"])}
        form = CheckinForm()  # ready for the next ticket
        if request.htmx:
            return _render(request, "frontend/console/checkin.html#result", {"result": result}, key="checkin")
    return _render(request, "frontend/console/checkin.html", {
        "form": form, "walkin_form": walkin_form, "result": result,
        "sessions": selectors.sessions_today_for_staff(actor=request.user),
    }, key="checkin", status=status)
