"""Reads behind the console's statistics pages (dashboard, annual report), composed from the summary, target
and asset reads the API uses (portal/stats/summary.py, targets.py, assets.py), so a page and the API never
disagree. The caller has resolved the organisation through portal.stats.scope (404 outside the actor's subtrees).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from facilities.models import AssetRecord, Facility, FacilityKind
from portal.members import permissions
from portal.members.models import Organisation
from portal.members.permissions import Action

from .assets import service_per_asset
from .summary import grouped, rollups_for, stats_summary, with_shares

FIRST_YEAR = 2000
RANKED_FACILITIES = 50


def stats_years() -> range:
    """The years the pages offer: 2000 to next year (targets are set ahead)."""
    return range(FIRST_YEAR, timezone.localdate().year + 2)


def stats_organisations(*, actor):
    """The organisations whose statistics `actor` may read, in tree order (the pages' organisation pickers)."""
    return permissions.organisations(actor, Action.VIEW_STATS).order_by("path")


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


@dataclass
class AssetKindRow:
    kind: str
    label: str
    facilities: int = 0
    book_value_fen: int = 0
    floor_area_m2: Decimal = Decimal(0)
    land_area_m2: Decimal = Decimal(0)
    person_times: int = 0


def stats_assets_by_kind(*, organisation: Organisation, year: int) -> list[AssetKindRow]:
    """Facilities, the year's asset records and the person-times served, by kind of facility (report section 1)."""
    rows = {k.value: AssetKindRow(kind=k.value, label=str(k.label)) for k in FacilityKind}
    subtree = Facility.objects.filter(organisation__path__startswith=organisation.path)
    for kind, n in subtree.order_by().values("kind").annotate(n=Count("pk")).values_list("kind", "n"):
        rows[kind].facilities = n
    records = (AssetRecord.objects.filter(facility__organisation__path__startswith=organisation.path, year=year)
               .order_by().values("facility__kind")
               .annotate(value=Sum("book_value_fen"), floor=Sum("floor_area_m2"), land=Sum("land_area_m2")))
    for r in records:
        row = rows[r["facility__kind"]]
        row.book_value_fen, row.floor_area_m2, row.land_area_m2 = r["value"] or 0, r["floor"] or 0, r["land"] or 0
    served = (rollups_for(organisation, *_year(year)).filter(facility__isnull=False).order_by()
              .values("facility__kind").annotate(n=Coalesce(Sum("persons"), 0)))
    for r in served:
        rows[r["facility__kind"]].person_times = r["n"]
    return list(rows.values())
