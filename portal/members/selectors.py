from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.errors import NotFound, NotPermitted

from . import permissions
from .models import Dependant, Member, Organisation, OrganisationLevel, RoleGrant, User
from .permissions import Action


def organisation_subtree(*, organisation: Organisation) -> QuerySet[Organisation]:
    """The organisation and everything below it, in one indexed prefix query."""
    return Organisation.objects.filter(path__startswith=organisation.path)


def grassroots_list(*, search: str = "") -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(level=OrganisationLevel.GRASSROOTS)
    return qs.filter(name__icontains=search) if search else qs.order_by("name")


def member_list_for_staff(*, actor: User, organisation: Organisation | None = None,
                          status: str | None = None) -> QuerySet[Member]:
    """Members the actor may see; asking for an organisation outside their subtrees is refused (403)."""
    if organisation is not None and not permissions.can(actor, Action.VIEW_MEMBER, organisation):
        raise NotPermitted()
    qs = permissions.scope(actor, Action.VIEW_MEMBER, Member.objects.select_related("user", "organisation"))
    if organisation is not None:
        qs = qs.filter(organisation__path__startswith=organisation.path)
    if status:
        qs = qs.filter(verification_status=status)
    return qs.order_by("created_at", "id")


def member_for_user(*, user: User) -> Member | None:
    return Member.objects.select_related("organisation").prefetch_related("dependants").filter(user=user).first()


def member_require(*, user: User) -> Member:
    """The signed-in user's member profile; NotFound (a 404 page, or 404 in the API) when they have none."""
    member = member_for_user(user=user) if getattr(user, "is_authenticated", False) else None
    if member is None:
        raise NotFound(_("This account has no member profile."))
    return member


def member_get_for_staff(*, actor: User, member_id: int) -> Member:
    """A member in the actor's subtrees; anything else is NotFound, whether it exists or not."""
    member = Member.objects.select_related("user", "organisation", "verified_by").filter(pk=member_id).first()
    if member is None or not permissions.can(actor, Action.VIEW_MEMBER, member):
        raise NotFound(_("Member not found."))
    return member


def role_grants_for(*, user: User) -> QuerySet[RoleGrant]:
    return user.role_grants.select_related("organisation").order_by("organisation__path")


def dependant_list(*, user: User) -> QuerySet[Dependant]:
    return Dependant.objects.filter(member__user=user).order_by("id")
