"""The console audit page (staff: their subtrees) and the member's "who opened my records" page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from portal.audit import presentation
from portal.audit.filters import AuditEventFilter
from portal.audit.selectors import access_log_for_member, audit_event_list_for_staff
from portal.members.permissions import Action
from portal.members.selectors import member_for_user

from ..access import staff_console
from .console import _render

PAGE_SIZE = 50


@staff_console(action=Action.VIEW_AUDIT)
def audit_log(request):
    events = audit_event_list_for_staff(actor=request.user)
    filterset = AuditEventFilter(request.GET or None, queryset=events)
    status = 200
    if filterset.is_bound and not filterset.is_valid():
        events, status = events.none(), 400
    else:
        events = filterset.qs
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return _render(request, "frontend/console/audit.html", {
        "filter": filterset, "page": page, "query": params.urlencode(),
    }, key="audit", status=status)


@login_required
def my_access_log(request):
    member = member_for_user(user=request.user)
    page = None
    if member is not None:
        page = Paginator(access_log_for_member(member=member), PAGE_SIZE).get_page(request.GET.get("page"))
        for event in page.object_list:
            event.staff_name = presentation.staff_name(event)
            event.staff_role = presentation.staff_role(event)
            event.what = presentation.access_context(event)
    return render(request, "frontend/member/access_log.html", {"section": "profile", "member": member,
                                                                "page": page})
