"""Reads of roster imports for staff: only imports of unions in the officer's subtree."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mutualaid.models import RosterImport, RosterStatus
from portal.errors import NotFound
from portal.members import permissions
from portal.members.permissions import Action

from .services import import_progress


def roster_list_for_staff(*, actor) -> QuerySet[RosterImport]:
    return permissions.scope(actor, Action.IMPORT_ROSTER, RosterImport.objects.select_related(
        "scheme", "organisation", "uploaded_by")).order_by("-created_at", "-id")


def roster_get_for_staff(*, actor, roster_id: int) -> RosterImport:
    roster = roster_list_for_staff(actor=actor).filter(pk=roster_id).first()
    if roster is None:
        raise NotFound(_("Roster import not found."))
    return roster


@dataclass(frozen=True)
class RosterProgress:
    status: str
    status_display: str
    percent: int
    rows_done: int
    rows_total: int
    errors_count: int
    new_members: int
    matched_members: int
    enrolments_to_write: int
    failure: str
    has_error_report: bool
    finished: bool  # nothing more will change without the officer (poll no further)


FINISHED = {RosterStatus.VALID, RosterStatus.INVALID, RosterStatus.DONE, RosterStatus.FAILED}


def roster_progress(roster: RosterImport) -> RosterProgress:
    """What the progress bar shows. A running import's rows are in an open transaction, so its count comes
    from the cache the commit task updates after each batch."""
    rows_done, percent = roster.rows_done, roster.percent
    if roster.status == RosterStatus.IMPORTING:
        rows_done = min(import_progress(roster.pk) or 0, roster.rows_total)
        percent = rows_done * 100 // max(roster.rows_total, 1)
    return RosterProgress(
        status=roster.status, status_display=roster.get_status_display(), percent=percent, rows_done=rows_done,
        rows_total=roster.rows_total, errors_count=roster.errors_count, new_members=roster.new_members,
        matched_members=roster.matched_members, enrolments_to_write=roster.enrolments_to_write,
        failure=roster.failure, has_error_report=bool(roster.error_report), finished=roster.status in FINISHED)
