"""Who may open which page. Every decision is delegated to portal.members.permissions."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.members import permissions
from portal.members.permissions import Action


def staff_console(view=None, *, action: Action | None = None):
    """Console pages: a signed-in user with a staff role whose sign-in passed TOTP (permissions.has_staff_access).

    A staff user without TOTP is sent to set it up, one whose session skipped it to enter a code; anybody
    else gets 403. With `action`, the user must hold
    it somewhere in the tree (lists and forms of that area); objects are checked by the view with can().
    """

    def decorator(func):
        @login_required
        @functools.wraps(func)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not permissions.has_staff_access(user, session=request.session):
                if not permissions.is_staff_member(user):
                    raise PermissionDenied
                if not permissions.has_mfa(user):
                    messages.warning(request, _("The staff console needs two-factor authentication. "
                                                "Set up an authenticator app to continue."))
                    return redirect("mfa_activate_totp")
                # TOTP is enrolled but this sign-in skipped it: ask for a code, then come back.
                messages.warning(request, _("Enter a code from your authenticator app to open the staff console."))
                return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
            if action is not None and not permissions.can_anywhere(user, action):
                raise PermissionDenied
            request.console = True
            return func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def console_sections(user) -> list[dict]:
    """The console menu: only the areas the user's role grants cover."""
    sections = [{"key": "today", "url": "frontend:console:today", "label": _("Today")}]
    if permissions.can_anywhere(user, Action.VIEW_MEMBER):
        sections.append({"key": "members", "url": "frontend:console:members", "label": _("Members")})
    if permissions.can_anywhere(user, Action.MANAGE_FACILITY):
        sections.append({"key": "facilities", "url": "frontend:console:facilities", "label": _("Facilities")})
    if permissions.can_anywhere(user, Action.MANAGE_ACTIVITY):
        sections.append({"key": "activities", "url": "frontend:console:activities", "label": _("Activities")})
    if permissions.can_anywhere(user, Action.CHECK_IN):
        sections.append({"key": "checkin", "url": "frontend:console:checkin", "label": _("Check-in")})
    if permissions.can_anywhere(user, Action.APPROVE_APPLICATION):
        sections.append({"key": "programmes", "url": "frontend:console:programmes", "label": _("Programmes")})
    if permissions.can_anywhere(user, Action.MANAGE_FACILITY):
        sections.append({"key": "stays", "url": "frontend:console:room_types", "label": _("Sanatoriums")})
    elif permissions.can_anywhere(user, Action.CHECK_IN):
        sections.append({"key": "stays", "url": "frontend:console:stays_today", "label": _("Sanatoriums")})
    if permissions.can_anywhere(user, Action.VIEW_BOOKINGS):
        sections.append({"key": "payments", "url": "frontend:console:payments", "label": _("Payments")})
    if permissions.can_anywhere(user, Action.MANAGE_SCHEME):
        sections.append({"key": "mutualaid", "url": "frontend:console:mutualaid", "label": _("Mutual aid")})
    if permissions.can_anywhere(user, Action.VIEW_STATS):
        sections.append({"key": "stats", "url": "frontend:console:stats_dashboard", "label": _("Statistics")})
    if permissions.can_anywhere(user, Action.VIEW_AUDIT):
        sections.append({"key": "audit", "url": "frontend:console:audit", "label": _("Audit log")})
    return sections
