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


class Busy(Conflict):
    """The database gave up waiting: a row lock held too long (lock_timeout) or a statement ran too long
    (statement_timeout), or SQLite stayed locked. Nothing was written; the same request will most likely
    succeed in a moment, hence 503 with Retry-After rather than 409 (which tells a client to change the
    request). It stays a Conflict so pages that already show a conflict beside the form show this one too.
    """

    status_code = 503
    type = "busy"
    title = _("The service is busy. Please try again in a moment.")
    retry_after = 2  # seconds


class Gone(DomainError):
    """It existed, and is no more (an expired export file)."""

    status_code = 410
    type = "gone"
    title = _("This is no longer available.")
