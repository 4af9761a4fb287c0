"""Domain errors raised by services; the API turns them into the DESIGN.md section 5 format."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule said no. `errors` maps field names to messages where a field is to blame."""

    status_code = 400
    type = "invalid"
    title = _("The request cannot be carried out.")

    def __init__(self, detail: str | None = None, *, errors: dict[str, list[str]] | None = None,
                 code: str | None = None):
        self.detail = str(detail) if detail is not None else str(self.title)
        self.errors = errors or {}
        self.code = code or self.type
        super().__init__(self.detail)


class Conflict(DomainError):
    status_code = 409
    type = "conflict"
    title = _("The request conflicts with the current state.")


class NotPermitted(DomainError):
    status_code = 403
    type = "permission_denied"
    title = _("You are not allowed to do this.")


class NotFound(DomainError):
    status_code = 404
    type = "not_found"
    title = _("Not found.")
