"""How an access-log entry is shown to the member: the staff member's name, role and union, never their email."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.members.models import Role

from .models import AuditEvent

_CONTEXTS = {
    "member_detail": _("Your member record"),
    "staff-member-detail": _("Your member record"),
}


def staff_name(event: AuditEvent) -> str:
    name = event.actor.get_full_name().strip() if event.actor is not None else ""
    return name or str(_("A union staff member") if event.actor_role else _("A system administrator"))


def staff_role(event: AuditEvent) -> str:
    return str(Role(event.actor_role).label) if event.actor_role in Role.values else str(_("Administrator"))


def access_context(event: AuditEvent) -> str:
    """What was opened: the member's own record, or a session roster listing them."""
    key = event.route.rsplit(":", 1)[-1]
    return str(_CONTEXTS.get(key, _("A session roster listing you")))
