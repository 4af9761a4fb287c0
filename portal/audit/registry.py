"""Which object a URL addresses, so the audit middleware needs no code in any view.

Naming conventions make most routes resolve by themselves; a new route that follows them is covered
without touching this file:
- console url names are `<kind>_<verb>` (`facility_edit`, `session_roster_csv`): CONSOLE_KINDS;
- staff API router basenames are `staff-<kind>` (`staff-venue-detail`): API_BASENAMES (longest prefix wins);
- admin url names are `<app>_<model>_<verb>` with `object_id`: resolved through the app registry.
PERSONAL_READS names the pages that show members' records (each member gets a view event).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.urls import Resolver404, ResolverMatch, resolve

CONSOLE_KINDS = {
    "member": "members.Member",
    "facility": "facilities.Facility",
    "venue": "facilities.Venue",
    "asset": "facilities.AssetRecord",
    "photo": "facilities.FacilityPhoto",
    "activity": "bookings.Activity",
    "session": "bookings.Session",
    "programme": "bookings.Programme",
    "batch": "bookings.Batch",
    "allocation": "bookings.QuotaAllocation",
    "application": "bookings.Application",
    "scheme": "mutualaid.Scheme",
    "roster": "mutualaid.RosterImport",
    "claim": "mutualaid.Claim",
    "room_type_photo": "facilities.RoomTypePhoto",
    "room_type": "facilities.RoomType",
    "room": "facilities.RoomType",  # room_nights
    "stay": "bookings.Stay",
}
# basename -> (model, url kwarg naming it)
API_BASENAMES = {
    "staff-member": ("members.Member", "pk"),
    "staff-venue": ("facilities.Venue", "pk"),
    "staff-asset-record": ("facilities.AssetRecord", "pk"),
    "staff-activity": ("bookings.Activity", "pk"),
    "staff-session": ("bookings.Session", "pk"),
    "staff-walkin": ("bookings.WalkIn", "pk"),
    "staff-checkin": ("bookings.Booking", "pk"),
    "staff-facility-photos": ("facilities.Facility", "facility_pk"),
    "staff-facility-photo": ("facilities.FacilityPhoto", "pk"),
    "staff-programme": ("bookings.Programme", "pk"),
    "staff-batch": ("bookings.Batch", "pk"),
    "staff-allocation": ("bookings.QuotaAllocation", "pk"),
    "staff-application": ("bookings.Application", "pk"),
    "staff-room-type": ("facilities.RoomType", "pk"),
    "staff-room-type-photos": ("facilities.RoomType", "room_type_pk"),
    "staff-room-type-photo": ("facilities.RoomTypePhoto", "pk"),
    "staff-stay-policy": ("facilities.Facility", "facility_pk"),
    "staff-stay": ("bookings.Stay", "pk"),
    "staff-roster": ("mutualaid.RosterImport", "pk"),
    "staff-scheme": ("mutualaid.Scheme", "pk"),
    "staff-enrolment": ("mutualaid.Enrolment", "pk"),
    "staff-claim": ("mutualaid.Claim", "pk"),
    "staff-target": ("stats.Target", "pk"),
    "stats-export": ("stats.Export", "pk"),
    "stats-export-template": ("stats.ExportTemplate", "pk"),
}


@dataclass(frozen=True)
class Target:
    route: str  # namespaced url name, e.g. "frontend:console:facility_edit"
    model: type[models.Model] | None
    pk: str | None  # the url kwarg value naming the object, when the route has one

    def get(self) -> models.Model | None:
        if self.model is None or not self.pk:
            return None
        try:
            return self.model._default_manager.filter(pk=self.pk).first()
        except (ValueError, TypeError):  # a malformed id in the URL
            return None

    def get_by_id(self, pk) -> models.Model | None:
        return Target(self.route, self.model, str(pk)).get() if pk is not None else None


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def target_for(match: ResolverMatch) -> Target:
    name, kwargs = match.url_name or "", match.kwargs
    route = match.view_name or name
    if match.namespaces[:2] == ["frontend", "console"]:
        # The longest kind the url name starts with: `room_type_photo_delete` names a photo, `room_nights` a type.
        kind = max((k for k in CONSOLE_KINDS if name == k or name.startswith(k + "_")), key=len, default=None)
        label = CONSOLE_KINDS.get(kind) if kind else None
        return Target(route, _model(label) if label else None, kwargs.get("pk"))
    if "admin" in match.namespaces:
        parts = name.rsplit("_", 2)
        model = _model(f"{parts[0]}.{parts[1]}") if len(parts) == 3 else None
        return Target(route, model, kwargs.get("object_id"))
    basename = max((b for b in API_BASENAMES if name == b or name.startswith(b + "-")), key=len, default=None)
    if basename is not None:
        label, kwarg = API_BASENAMES[basename]
        return Target(route, _model(label), kwargs.get(kwarg))
    return Target(route, None, kwargs.get("pk"))


def target_for_path(path: str, urlconf=None) -> Target | None:
    try:
        return target_for(resolve(path, urlconf))
    except Resolver404:
        return None


# --- pages that show members' records ------------------------------------------------------------------------

def _member(actor, kwargs) -> Iterable[models.Model]:
    member = _model("members.Member")._default_manager.filter(pk=kwargs.get("pk")).first()
    return [member] if member is not None else []


def _roster(actor, kwargs) -> Iterable[models.Model]:
    from bookings.selectors import session_bookings_for_staff
    from portal.errors import DomainError

    try:
        bookings = session_bookings_for_staff(actor=actor, session_id=int(kwargs["pk"]))
    except (DomainError, KeyError, ValueError):
        return []
    return [b.member for b in bookings.select_related("member__organisation")]


def _batch_roster(actor, kwargs) -> Iterable[models.Model]:
    from bookings.programme_selectors import batch_roster
    from portal.errors import DomainError

    try:
        return [a.member for a in batch_roster(actor=actor, batch_id=int(kwargs["pk"]))]
    except (DomainError, KeyError, ValueError):
        return []


def _application_member(actor, kwargs) -> Iterable[models.Model]:
    application = _model("bookings.Application")._default_manager.select_related("member").filter(
        pk=kwargs.get("pk")).first()
    return [application.member] if application is not None else []


PERSONAL_READS: dict[str, Callable[[object, dict], Iterable[models.Model]]] = {
    "frontend:console:member_detail": _member,
    "staff-member-detail": _member,
    "frontend:console:session_detail": _roster,
    "frontend:console:session_roster": _roster,
    "frontend:console:session_roster_csv": _roster,
    "staff-session-bookings": _roster,
    "staff-batch-roster": _batch_roster,
    "staff-batch-roster-csv": _batch_roster,
    "staff-batch-roster-xlsx": _batch_roster,
    "staff-application-detail": _application_member,
}
