"""Yearly targets: setting them (a service) and reading progress against them (a selector).

Progress is the actual figure as a percentage of the target; it is compared with the share of the year
elapsed, and a child organisation with its own target for the metric is behind when its progress trails.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from facilities.models import Facility, FacilityKind, FacilityStatus
from portal.members.models import Organisation

from .models import MonthlyRollup, Target, TargetMetric

# The rollup figure behind each metric (palace coverage is counted from facilities instead).
_FIGURES = {
    TargetMetric.RECUPERATION_TRIPS: Coalesce(Sum("recuperation_trips"), 0),
    TargetMetric.INSURED_PERSON_TIMES: Coalesce(Sum("insured_person_times"), 0),
    TargetMetric.PERSON_TIMES: Coalesce(Sum("person_times"), 0),
    "skilled_trips": Coalesce(Sum("skilled_worker_trips"), 0),
}


def target_set(*, actor, organisation: Organisation, year: int, metric: str, value: int) -> Target:
    """Set (or change) `organisation`'s target for `metric` in `year`."""
    with transaction.atomic():
        target, _created = Target.objects.update_or_create(organisation=organisation, year=year, metric=metric,
                                                          defaults={"value": value})
    return target


def year_elapsed(year: int, today: date | None = None) -> float:
    """The share of `year` gone by `today` (0-100, one decimal)."""
    today = today or timezone.localdate()
    if year < today.year:
        return 100.0
    if year > today.year:
        return 0.0
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return round(100.0 * ((today - date(year, 1, 1)).days + 1) / days, 1)


def _actuals(figures: dict, palaces: int) -> dict[str, float]:
    trips = figures.get(TargetMetric.RECUPERATION_TRIPS, 0)
    return {
        TargetMetric.RECUPERATION_TRIPS: trips,
        TargetMetric.INSURED_PERSON_TIMES: figures.get(TargetMetric.INSURED_PERSON_TIMES, 0),
        TargetMetric.PERSON_TIMES: figures.get(TargetMetric.PERSON_TIMES, 0),
        TargetMetric.SKILLED_WORKER_SHARE: round(100.0 * figures.get("skilled_trips", 0) / trips, 1) if trips else 0.0,
        TargetMetric.PALACE_COVERAGE: palaces,
    }


def _progress(actual: float, target: int) -> float:
    return round(100.0 * actual / target, 1) if target else 100.0


def targets_progress(*, organisation: Organisation, year: int, today: date | None = None) -> list[dict]:
    """Each target of `organisation` for `year`: target, actual, progress, year elapsed, children behind."""
    targets = list(Target.objects.filter(organisation=organisation, year=year).order_by("metric"))
    if not targets:
        return []
    elapsed = year_elapsed(year, today)
    period = (date(year, 1, 1), date(year, 12, 31))
    subtree = MonthlyRollup.objects.filter(organisation__path__startswith=organisation.path, month__range=period)
    child_len = len(organisation.path) + Organisation.steplen
    child_key = Substr("organisation__path", 1, child_len)
    open_palaces = Facility.objects.filter(organisation__path__startswith=organisation.path, kind=FacilityKind.PALACE,
                                           status=FacilityStatus.OPEN)

    totals = subtree.aggregate(**_FIGURES)
    child_rows = {r["child"]: r for r in subtree.annotate(child=child_key).values("child").annotate(**_FIGURES)}
    child_palaces = dict(open_palaces.annotate(child=child_key).values("child").annotate(n=Count("pk"))
                         .values_list("child", "n"))
    children = list(Organisation.objects.filter(path__startswith=organisation.path, depth=organisation.depth + 1)
                    .order_by("name"))
    child_targets = {(t.organisation_id, t.metric): t.value for t in
                     Target.objects.filter(organisation__in=children, year=year)}

    actual = _actuals(totals, sum(child_palaces.values()))
    out = []
    for target in targets:
        behind = []
        for child in children:
            child_target = child_targets.get((child.pk, target.metric))
            if child_target is None:
                continue
            child_actual = _actuals(child_rows.get(child.path, {}), child_palaces.get(child.path, 0))[target.metric]
            progress = _progress(child_actual, child_target)
            if progress < elapsed:
                behind.append({"id": child.pk, "name": child.name, "target": child_target, "actual": child_actual,
                               "progress": progress})
        progress = _progress(actual[target.metric], target.value)
        out.append({"metric": target.metric, "label": str(TargetMetric(target.metric).label), "target": target.value,
                    "actual": actual[target.metric], "progress": progress, "year_elapsed": elapsed,
                    "on_track": progress >= elapsed, "children_behind": behind})
    return out


def targets_for(*, organisation: Organisation, year: int) -> list[Target]:
    return list(Target.objects.filter(organisation=organisation, year=year).order_by("metric"))
