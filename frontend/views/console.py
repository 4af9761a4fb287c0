"""Staff console: Today and the member verification queue. Every read and write is scoped through
portal.members (selectors, services, permissions); a view only shapes the page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.selectors import sessions_today_for_staff
from portal.errors import Conflict
from portal.members import permissions
from portal.members.filters import StaffMemberFilter
from portal.members.models import Member, Organisation, VerificationStatus
from portal.members.permissions import Action
from portal.members.selectors import member_get_for_staff, member_list_for_staff, role_grants_for
from portal.members.services import member_reject, member_verify

from ..access import console_sections, staff_console
from ..forms import RejectForm, apply_service_errors
from ..utils import page_filters, safe_next

PAGE_SIZE = 25


def _render(request, template: str, context: dict, *, status: int = 200, key: str = ""):
    context.update({"section": "console", "console_sections": console_sections(request.user), "console_key": key})
    return render(request, template, context, status=status)


@staff_console
def today(request):
    user = request.user
    cards = []
    if permissions.can_anywhere(user, Action.VERIFY_MEMBER):
        pending = member_list_for_staff(actor=user, status=VerificationStatus.PENDING).count()
        cards.append({"key": "verifications", "count": pending, "label": _("Members waiting for verification"),
                      "url": "frontend:console:members", "query": "status=pending", "action": _("Open the queue")})
    sessions = None
    if permissions.can_anywhere(user, Action.VIEW_BOOKINGS):
        sessions = list(sessions_today_for_staff(actor=user))
    grants = role_grants_for(user=user)
    return _render(request, "frontend/console/today.html", {"cards": cards, "grants": grants, "sessions": sessions},
                   key="today")


def _organisation_filter(request) -> Organisation | None:
    """`?org=`, read like the API's (a bad or unknown id is left out, with a message)."""
    filters = StaffMemberFilter({"org": request.GET.get("org", "")})  # reads the query string only
    return page_filters(request, filters)["org"]


@staff_console(action=Action.VIEW_MEMBER)
def members(request):
    status = request.GET.get("status", VerificationStatus.PENDING)
    if status not in VerificationStatus.values and status != "all":
        status = VerificationStatus.PENDING
    organisation = _organisation_filter(request)
    qs = member_list_for_staff(actor=request.user, organisation=organisation,
                               status=None if status == "all" else status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = f"status={status}" + (f"&org={organisation.pk}" if organisation else "")
    return _render(request, "frontend/console/members.html", {
        "page": page, "status": status, "organisation": organisation, "query": query,
        "statuses": [("pending", _("Waiting")), ("verified", _("Verified")), ("rejected", _("Rejected")),
                     ("all", _("All"))],
        "can_verify": permissions.can_anywhere(request.user, Action.VERIFY_MEMBER),
        "organisations": permissions.organisations(request.user, Action.VIEW_MEMBER).order_by("path"),
        "reject_form": RejectForm(),
    }, key="members")


@staff_console(action=Action.VIEW_MEMBER)
def member_detail(request, pk: int):
    member = member_get_for_staff(actor=request.user, member_id=pk)
    return _render(request, "frontend/console/member_detail.html", {
        "member": member, "reject_form": RejectForm(),
        "can_verify": permissions.can(request.user, Action.VERIFY_MEMBER, member),
    }, key="members")


def _after_action(request, member: Member):
    if request.htmx:
        return _render(request, "frontend/console/members.html#member-row", {
            "m": member, "can_verify": permissions.can(request.user, Action.VERIFY_MEMBER, member),
            "oob_toasts": True,
        }, key="members")
    return redirect(safe_next(request, "frontend:console:members"))


@staff_console(action=Action.VERIFY_MEMBER)
@require_POST
def member_verify_view(request, pk: int):
    try:
        member = member_verify(actor=request.user, member_id=pk)
    except Conflict as exc:
        messages.info(request, exc.detail)
        member = member_get_for_staff(actor=request.user, member_id=pk)
    else:
        messages.success(request, _("%(name)s is verified.") % {"name": member.real_name})
    return _after_action(request, member)


@staff_console(action=Action.VERIFY_MEMBER)
@require_POST
def member_reject_view(request, pk: int):
    member = member_get_for_staff(actor=request.user, member_id=pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            member = member_reject(actor=request.user, member_id=pk, reason=form.cleaned_data["reason"])
        except Conflict as exc:
            messages.info(request, exc.detail)
            return _after_action(request, member)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is rejected; they have been told why.") % {"name": member.real_name})
            return _after_action(request, member)
    return _render(request, "frontend/console/member_detail.html", {
        "member": member, "reject_form": form, "can_verify": True,
    }, status=400, key="members")
