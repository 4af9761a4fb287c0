"""Member pages: home, profile and dependants."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.models import BookingStatus
from bookings.selectors import booking_list
from portal.members import permissions
from portal.members.selectors import member_for_user, member_require
from portal.members.services import dependant_add, dependant_remove, member_update_profile
from portal.notifications.selectors import message_list

from ..forms import DependantForm, ProfileForm, service_submit

HOME_STATUSES = [BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT, BookingStatus.OFFERED,
                 BookingStatus.WAITLISTED, BookingStatus.INTEREST]


def home(request):
    context: dict = {"section": "home"}
    if request.user.is_authenticated:
        context["member"] = member_for_user(user=request.user)
        context["latest_messages"] = list(message_list(user=request.user, unread_only=True)[:3])
        context["is_staff_member"] = permissions.is_staff_member(request.user)
        if context["member"] is not None:
            context.update(_home_bookings(context["member"]))
    return render(request, "frontend/home.html", context)


def _home_bookings(member) -> dict:
    """Next bookings at a glance and waitlist offers waiting for an answer (bookings.selectors)."""
    now = timezone.now()
    upcoming, offers = [], []
    for booking in booking_list(member=member).filter(session__end__gt=now, status__in=HOME_STATUSES):
        (offers if booking.status == BookingStatus.OFFERED else upcoming).append(booking)
    upcoming.sort(key=lambda b: b.session.start)
    return {"upcoming": upcoming[:3], "offers": offers}


@login_required
def profile(request):
    member = member_for_user(user=request.user)
    return render(request, "frontend/member/profile.html", {
        "section": "profile", "member": member, "dependant_form": DependantForm(),
    })


@login_required
def profile_edit(request):
    member = member_require(user=request.user)
    initial = {"real_name": member.real_name, "organisation": member.organisation,
               "phone": request.user.phone or ""}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data or k == "id_number"}
        if not data.get("id_number"):
            data.pop("id_number", None)
        ok, _saved = service_submit(form, lambda: member_update_profile(member=member, data=data))
        if ok:
            messages.success(request, _("Your profile is saved."))
            return redirect("frontend:profile")
    return render(request, "frontend/member/profile_edit.html", {
        "section": "profile", "member": member, "form": form,
    })


@login_required
@require_POST
def dependant_create(request):
    member = member_require(user=request.user)
    form = DependantForm(request.POST)
    if form.is_valid():
        ok, _added = service_submit(form, lambda: dependant_add(member=member, **form.cleaned_data))
        if ok:
            messages.success(request, _("Family member added."))
            return redirect("frontend:profile")
    return render(request, "frontend/member/profile.html", {
        "section": "profile", "member": member_for_user(user=request.user), "dependant_form": form,
    }, status=400)


@login_required
@require_POST
def dependant_delete(request, pk: int):
    member = member_require(user=request.user)
    dependant_remove(member=member, dependant_id=pk)
    messages.success(request, _("Family member removed."))
    return redirect("frontend:profile")
