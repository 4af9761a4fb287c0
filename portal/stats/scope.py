"""Which organisation a statistician is asking about: one inside their subtrees, or 404 (never a hint that
an organisation elsewhere exists)."""

from __future__ import annotations

from portal.errors import NotFound
from portal.members import permissions
from portal.members.models import Organisation
from portal.members.permissions import Action


def stats_organisation(user, organisation_id: int | None, *, action: Action = Action.VIEW_STATS) -> Organisation:
    """The organisation `organisation_id` if `user` may see its statistics; without an id, the user's own
    (the outermost organisation of their statistics grants)."""
    if organisation_id is None:
        paths = permissions.subtree_paths(user, action)
        found = (Organisation.objects.filter(depth=1).order_by("path").first() if paths is None else
                 Organisation.objects.filter(path__in=paths).order_by("path").first())
    else:
        found = Organisation.objects.filter(pk=organisation_id).first()
        if found is not None and not permissions.can(user, action, found):
            found = None
    if found is None:
        raise NotFound()
    return found
