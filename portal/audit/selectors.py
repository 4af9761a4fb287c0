"""Reading the audit log: staff see their subtrees' events, members see who opened their records."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.members import permissions
from portal.members.models import Member, User
from portal.members.permissions import Action

from .models import AuditAction, AuditEvent


def audit_event_list_for_staff(*, actor: User) -> QuerySet[AuditEvent]:
    """Events of objects (and staff) in the actor's subtrees; superusers see every event."""
    qs = AuditEvent.objects.select_related("organisation", "actor_organisation")
    return permissions.scope(actor, Action.VIEW_AUDIT, qs, via="organisation").order_by("-created_at", "-id")


def access_log_for_member(*, member: Member) -> QuerySet[AuditEvent]:
    """Who opened this member's record (their member page, or a session roster listing them), newest first."""
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW_PERSONAL_RECORD, object_type=Member._meta.label_lower, object_id=str(member.pk),
    ).select_related("actor", "actor_organisation").order_by("-created_at", "-id")
