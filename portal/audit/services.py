"""Writing the audit log: audit_record() for one event, audit_record_many() for one action on many objects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from portal.members.models import Organisation, RoleGrant, User

from .models import AuditAction, AuditEvent
from .redact import redact


def client_ip(request) -> str | None:
    """The address the request came from (REMOTE_ADDR; the proxy layer rewrites it for trusted proxies)."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def object_reference(obj: models.Model | None) -> dict[str, Any]:
    """Type, id, short text and owning union of a model instance, for an event's object columns."""
    if obj is None:
        return {}
    organisation = obj if isinstance(obj, Organisation) else getattr(obj, "owning_organisation", None)
    return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk or ""), "object_repr": str(obj)[:200],
            "organisation": organisation if isinstance(organisation, Organisation) else None}


class _Actor:
    """The actor's snapshot columns; the role grant is the closest one covering the object's union."""

    def __init__(self, actor: User | None):
        self.user = actor if getattr(actor, "is_authenticated", False) else None
        self.grants = [] if self.user is None else sorted(
            RoleGrant.objects.filter(user=self.user).select_related("organisation"),
            key=lambda g: (len(g.organisation.path), g.role))

    def columns(self, organisation: Organisation | None) -> dict[str, Any]:
        grant = None
        if organisation is not None:
            grant = next((g for g in reversed(self.grants) if organisation.path.startswith(g.organisation.path)),
                         None)
        grant = grant or (self.grants[0] if self.grants else None)
        return {"actor": self.user, "actor_label": self.user.email[:254] if self.user else "",
                "actor_role": grant.role if grant else "", "actor_organisation": grant.organisation if grant else None,
                # An event without a union of its own (a login, a create that failed to name its object) is
                # visible to the actor's own union.
                "organisation": organisation or (grant.organisation if grant else None)}


def _request_columns(request, route: str, status: int | None) -> dict[str, Any]:
    return {"ip": client_ip(request), "method": (getattr(request, "method", None) or "")[:10],
            "path": (getattr(request, "path", None) or "")[:500], "route": route[:120], "status": status}


def audit_record(*, actor: User | None, action: AuditAction | str, obj: models.Model | None = None,
                 object_type: str = "", object_id: str = "", object_repr: str = "",
                 organisation: Organisation | None = None, change: Any = None, request=None, route: str = "",
                 status: int | None = None) -> AuditEvent:
    """Add one event. `obj` fills the object columns (and the union, from its owning_organisation);
    `change` is redacted here, so callers pass the submitted data as it came."""
    ref = object_reference(obj) or {"object_type": object_type, "object_id": str(object_id),
                                    "object_repr": object_repr, "organisation": None}
    return AuditEvent.objects.create(
        action=str(action), object_type=ref["object_type"][:100], object_id=ref["object_id"][:64],
        object_repr=ref["object_repr"][:200], change=redact(change) if change is not None else {},
        **_Actor(actor).columns(organisation or ref["organisation"]), **_request_columns(request, route, status))


def audit_record_many(*, actor: User | None, action: AuditAction | str, objects: Iterable[models.Model],
                      request=None, route: str = "", status: int | None = None) -> list[AuditEvent]:
    """One event per distinct object (a roster names many members), written in one INSERT."""
    who = _Actor(actor)
    request_columns = _request_columns(request, route, status)
    events, seen = [], set()
    for obj in objects:
        if obj is None or obj.pk in seen:
            continue
        seen.add(obj.pk)
        ref = object_reference(obj)
        organisation = ref.pop("organisation")
        events.append(AuditEvent(action=str(action), **ref, **who.columns(organisation), **request_columns))
    return AuditEvent.objects.bulk_create(events)
