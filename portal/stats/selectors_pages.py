"""Reads behind the console's statistics pages (dashboard, annual report), composed from the summary, target
and asset reads the API uses (portal/stats/summary.py, targets.py, assets.py), so a page and the API never
disagree. The caller has resolved the organisation through portal.stats.scope (404 outside the actor's subtrees).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone

from portal.members import permissions
from portal.members.models import Organisation, OrganisationLevel
from portal.members.permissions import Action

from .assets import service_per_asset
from .models import Export, ExportTemplate
from .summary import grouped, stats_summary, with_shares

FIRST_YEAR = 2000
RANKED_FACILITIES = 50


def stats_years() -> range:
    """The years the pages offer: 2000 to next year (targets are set ahead)."""
    return range(FIRST_YEAR, timezone.localdate().year + 2)


def stats_organisations(*, actor, current: Organisation | None = None):
    """The federations (county and above) whose statistics `actor` may read, in tree order, plus `current`: the
    pages' organisation pickers. A province holds thousands of grassroots unions; those are reached by drilling
    down from their federation's dashboard."""
    federations = Q(level__in=[OrganisationLevel.NATIONAL, OrganisationLevel.PROVINCE, OrganisationLevel.CITY,
                               OrganisationLevel.COUNTY])
    if current is not None:
        federations |= Q(pk=current.pk)
    return permissions.organisations(actor, Action.VIEW_STATS).filter(federations).order_by("path")


def stats_ancestors(*, actor, organisation: Organisation) -> list[Organisation]:
    """The way back up from `organisation` to the outermost one the actor may read (breadcrumbs)."""
    step = Organisation.steplen
    paths = [organisation.path[:end] for end in range(step, len(organisation.path), step)]
    return [o for o in Organisation.objects.filter(path__in=paths).order_by("path")
            if permissions.can(actor, Action.VIEW_STATS, o)]


def _year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _zero() -> dict:
    return with_shares({"person_times": 0, "online_person_times": 0, "recuperation_trips": 0,
                        "skilled_worker_trips": 0, "insured_person_times": 0, "programme_trips": 0,
                        "model_worker_trips": 0, "nights": 0})


def stats_dashboard(*, organisation: Organisation, year: int) -> dict:
    """The summary of `organisation`'s subtree for `year` with every month (zeros included), every child
    organisation (zeros included, then what was recorded at the organisation itself), targets and facilities
    ranked by service per asset."""
    start, end = _year(year)
    summary = stats_summary(organisation=organisation, start=start, end=end, group_by="month")
    by_month = {row["key"]: row for row in summary["groups"]}
    summary["months"] = [{"month": m, **by_month.get(f"{year}-{m:02d}", _zero())} for m in range(1, 13)]
    by_child = {row["organisation_id"]: row for row in grouped(organisation, start, end, "child")}
    children = [{"organisation": child, **by_child.pop(child.pk, _zero())}
                for child in Organisation.objects.filter(path__startswith=organisation.path,
                                                         depth=organisation.depth + 1).order_by("path")]
    own = by_child.get(organisation.pk)
    summary["children"] = children
    summary["own"] = own if children and own else None
    summary["facility_rows"] = service_per_asset(organisation=organisation, start=start, end=end)[:RANKED_FACILITIES]
    return summary


def stats_exports_for(*, actor, limit: int = 20) -> list[Export]:
    """The actor's latest exports, newest first (nobody else's: exports are private to their requester)."""
    return list(Export.objects.filter(requester=actor).select_related("organisation", "template")
                .order_by("-created_at", "-pk")[:limit])


def stats_templates_for(*, actor) -> list[ExportTemplate]:
    return list(ExportTemplate.objects.filter(owner=actor).select_related("organisation").order_by("name", "pk"))
