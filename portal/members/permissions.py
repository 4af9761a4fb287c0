"""The one place that answers "may this user do X to this object". Default: deny.

A role grant at an organisation covers its whole subtree. Objects name their organisation through an
`owning_organisation` property, so the same check serves members, facilities, bookings and claims.
"""

from __future__ import annotations

from enum import StrEnum
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from . import mfa
from .models import Organisation, Role, RoleGrant


class Action(StrEnum):
    VIEW_MEMBER = "view_member"
    VERIFY_MEMBER = "verify_member"
    MANAGE_FACILITY = "manage_facility"
    MANAGE_ACTIVITY = "manage_activity"
    CHECK_IN = "check_in"
    VIEW_BOOKINGS = "view_bookings"
    APPROVE_APPLICATION = "approve_application"
    MANAGE_QUOTA = "manage_quota"
    MANAGE_SCHEME = "manage_scheme"
    APPROVE_CLAIM = "approve_claim"
    IMPORT_ROSTER = "import_roster"
    VIEW_STATS = "view_stats"
    EXPORT_STATS = "export_stats"
    EDIT_ASSETS = "edit_assets"
    VIEW_AUDIT = "view_audit"
    REFUND_PAYMENT = "refund_payment"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.FACILITY_MANAGER: frozenset({
        Action.MANAGE_FACILITY, Action.MANAGE_ACTIVITY, Action.CHECK_IN, Action.VIEW_BOOKINGS, Action.EDIT_ASSETS,
        Action.REFUND_PAYMENT,
    }),
    Role.UNION_OFFICER: frozenset({
        Action.VIEW_MEMBER, Action.VERIFY_MEMBER, Action.APPROVE_APPLICATION, Action.MANAGE_QUOTA,
        Action.VIEW_BOOKINGS,
    }),
    Role.MUTUALAID_OFFICER: frozenset({
        Action.VIEW_MEMBER, Action.MANAGE_SCHEME, Action.APPROVE_CLAIM, Action.IMPORT_ROSTER,
    }),
    Role.STATISTICIAN: frozenset({Action.VIEW_STATS, Action.EXPORT_STATS, Action.EDIT_ASSETS}),
}

# Every staff role may read the audit log of its own subtree (issue 7: who did what where they answer for it).
ROLE_ACTIONS = {role: actions | {Action.VIEW_AUDIT} for role, actions in ROLE_ACTIONS.items()}

_CACHE_ATTR = "_portal_role_grants"


def _grants(user) -> list[tuple[str, str]]:
    """(organisation path, role) pairs for the user, loaded once per request object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(RoleGrant.objects.filter(user=user).values_list("organisation__path", "role"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_grants(user) -> None:
    """Drop the per-request cache after grants change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _paths_for(user, action: Action) -> list[str]:
    paths = sorted({path for path, role in _grants(user) if action in ROLE_ACTIONS.get(role, ())})
    # A grant inside another granted subtree adds nothing; keep the outermost paths only.
    outer: list[str] = []
    for path in paths:
        if not any(path.startswith(o) for o in outer):
            outer.append(path)
    return outer


def is_staff_member(user) -> bool:
    """Holds at least one staff role (MFA is checked separately, see has_staff_access)."""
    return bool(_grants(user))


def has_mfa(user) -> bool:
    """TOTP is enrolled (the account can pass MFA; whether this session did is session_passed_mfa)."""
    return mfa.has_totp(user)


def has_staff_access(user, *, session) -> bool:
    """Staff pages and the staff API answer only a user with a role whose `session` passed TOTP.

    `session` is the session that authenticated the request (mfa.request_session): a grant, or TOTP
    merely being enrolled, is not enough when this sign-in used the password alone.
    """
    return is_staff_member(user) and has_mfa(user) and mfa.session_passed_mfa(user, session)


def organisation_of(target) -> Organisation:
    return target if isinstance(target, Organisation) else target.owning_organisation


def can(user, action: Action, target) -> bool:
    """May `user` perform `action` on `target` (an Organisation or any object with owning_organisation)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    path = organisation_of(target).path
    return any(path.startswith(p) for p in _paths_for(user, action))


def subtree_paths(user, action: Action) -> list[str] | None:
    """The paths of the subtrees where `user` may do `action` (outermost only); None for a superuser (all)."""
    if getattr(user, "is_superuser", False):
        return None
    return _paths_for(user, action)


def can_anywhere(user, action: Action) -> bool:
    return getattr(user, "is_superuser", False) or bool(_paths_for(user, action))


def scope(user, action: Action, queryset: QuerySet, *, via: str = "organisation") -> QuerySet:
    """Restrict `queryset` to rows whose organisation (reached through `via`) lies in the user's subtrees."""
    if getattr(user, "is_superuser", False):
        return queryset
    paths = _paths_for(user, action)
    if not paths:
        return queryset.none()
    prefix = "path" if via == "" else f"{via}__path"
    return queryset.filter(reduce(or_, (Q(**{f"{prefix}__startswith": p}) for p in paths)))


def organisations(user, action: Action) -> QuerySet[Organisation]:
    return scope(user, action, Organisation.objects.all(), via="")
