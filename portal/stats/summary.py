"""Summary figures for an organisation's subtree and a period, read from the daily rollups.

The number of queries is fixed (totals, one grouping, facility counts, payments, targets with the children's
progress, the labels of the groups) whatever the period or the size of the subtree: tests hold it to that.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility, FacilityKind
from portal.members.models import Organisation
from portal.payments.models import PAID_STATUSES, Payment

from .models import Channel, DailyRollup, MonthlyRollup, ServiceKind
from .targets import targets_progress

GROUP_BY = ("month", "facility", "region", "kind", "channel", "category", "child")
MAX_PERIOD_YEARS = 10

CATEGORY_LABELS = {"model_worker": _("Model workers"), "skilled_worker": _("Skilled workers"),
                   "other": _("Other members")}


def _int_sum(field: str, condition: Q | None = None):
    return Coalesce(Sum(field, filter=condition), 0)


METRICS = {
    "person_times": _int_sum("persons"),
    "online_person_times": _int_sum("persons", Q(channel=Channel.ONLINE)),
    "recuperation_trips": _int_sum("persons", Q(kind=ServiceKind.STAY)),
    "programme_trips": _int_sum("persons", Q(kind=ServiceKind.STAY, programme_trip=True)),
    "skilled_worker_trips": _int_sum("persons", Q(kind=ServiceKind.STAY, skilled_worker=True)),
    "model_worker_trips": _int_sum("persons", Q(kind=ServiceKind.STAY, model_worker=True)),
    "insured_person_times": _int_sum("persons", Q(kind=ServiceKind.MUTUAL_AID)),
    "nights": _int_sum("nights"),
}


def share(part: int, whole: int) -> float:
    """A percentage with one decimal (0 when there is nothing to share)."""
    return round(100.0 * part / whole, 1) if whole else 0.0


def with_shares(figures: dict) -> dict:
    figures = {k: int(v or 0) for k, v in figures.items()}
    figures["online_share"] = share(figures["online_person_times"], figures["person_times"])
    figures["skilled_worker_share"] = share(figures["skilled_worker_trips"], figures["recuperation_trips"])
    return figures


MONTHLY_GROUPS = {"month", "region", "child"}


def whole_months(start: date, end: date) -> bool:
    return start.day == 1 and (end + timedelta(days=1)).day == 1


def rollups_for(organisation: Organisation, start: date, end: date, group_by: str | None = None):
    """Whole months grouped by nothing, month, region or child are read from the monthly rollup (one row per
    month and organisation); any other period or grouping from the daily rollup. Same figures either way."""
    if whole_months(start, end) and (group_by is None or group_by in MONTHLY_GROUPS):
        return MonthlyRollup.objects.filter(organisation__path__startswith=organisation.path,
                                            month__range=(start, end))
    return DailyRollup.objects.filter(organisation__path__startswith=organisation.path, date__range=(start, end))


def _monthly_metrics():
    return {name: Coalesce(Sum(name), 0) for name in METRICS}


def _group_key(group_by: str, organisation: Organisation, monthly: bool = False):
    if group_by == "month":
        return F("month") if monthly else TruncMonth("date")
    if group_by == "facility":
        return F("facility_id")
    if group_by == "region":
        return F("organisation__region_code")
    if group_by in ("kind", "channel"):
        return F(group_by)
    if group_by == "category":
        return Case(When(model_worker=True, then=Value("model_worker")),
                    When(skilled_worker=True, then=Value("skilled_worker")),
                    default=Value("other"), output_field=CharField())
    # child: the first step of the path below the organisation (the organisation's own records keep its path)
    return Substr("organisation__path", 1, len(organisation.path) + Organisation.steplen)


def _labels(group_by: str, keys: list, organisation: Organisation) -> dict:
    if group_by == "month":
        return {k: k.strftime("%Y-%m") for k in keys}
    if group_by == "facility":
        names = dict(Facility.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
        return {k: names.get(k, "") if k else str(_("No facility")) for k in keys}
    if group_by == "region":
        return {k: k for k in keys}
    if group_by == "kind":
        return {k: str(ServiceKind(k).label) if k in ServiceKind.values else k for k in keys}
    if group_by == "channel":
        return {k: str(Channel(k).label) if k in Channel.values else k for k in keys}
    if group_by == "category":
        return {k: str(CATEGORY_LABELS.get(k, k)) for k in keys}
    children = {o.path: o for o in Organisation.objects.filter(path__in=keys)}
    return {k: children[k] for k in keys if k in children}


def grouped(organisation: Organisation, start: date, end: date, group_by: str) -> list[dict]:
    """One row per group: key, label (and organisation id for `child`), the figures and shares."""
    source = rollups_for(organisation, start, end, group_by)
    monthly = source.model is MonthlyRollup
    rows = list(source.annotate(group=_group_key(group_by, organisation, monthly))
                .values("group").annotate(**(_monthly_metrics() if monthly else METRICS)).order_by("group"))
    labels = _labels(group_by, [r["group"] for r in rows], organisation)
    out = []
    for row in rows:
        key = row.pop("group")
        entry = {"key": key.isoformat()[:7] if group_by == "month" else key}
        if group_by == "child":
            org = labels.get(key)
            if org is None or org.pk == organisation.pk:
                entry.update(key=organisation.pk, label=str(_("Directly at %(name)s") % {"name": organisation.name}),
                             organisation_id=organisation.pk, own=True)
            else:
                entry.update(key=org.pk, label=org.name, organisation_id=org.pk, own=False)
        else:
            entry["label"] = labels.get(key, "")
        entry.update(with_shares(row))
        out.append(entry)
    return out


def facility_counts(organisation: Organisation) -> dict[str, int]:
    counts = dict(Facility.objects.filter(organisation__path__startswith=organisation.path)
                  .values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    return {kind: counts.get(kind, 0) for kind in FacilityKind.values}


def local_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))


def payment_figures(organisation: Organisation, start: date, end: date) -> dict[str, int]:
    """Revenue (what members paid, less refunds) and union subsidy of payments that succeeded in the period."""
    path = organisation.path
    since, until = local_day_bounds(start, end)
    totals = Payment.objects.filter(
        Q(booking__session__activity__facility__organisation__path__startswith=path)
        | Q(stay__room_type__facility__organisation__path__startswith=path)
        | Q(enrolment__scheme__organisation__path__startswith=path),
        status__in=PAID_STATUSES, succeeded_at__gte=since, succeeded_at__lt=until,
    ).aggregate(paid=Coalesce(Sum("member_share_fen"), 0), refunded=Coalesce(Sum("refunded_fen"), 0),
                subsidy=Coalesce(Sum("subsidy_fen"), 0))
    return {"revenue_fen": totals["paid"] - totals["refunded"], "subsidy_fen": totals["subsidy"], "currency": "CNY"}


def stats_summary(*, organisation: Organisation, start: date, end: date, group_by: str | None = None,
                  today: date | None = None) -> dict:
    """Everything the summary API and the dashboard show for `organisation`'s subtree from `start` to `end`."""
    source = rollups_for(organisation, start, end)
    totals = with_shares(source.aggregate(**(_monthly_metrics() if source.model is MonthlyRollup else METRICS)))
    totals.update(payment_figures(organisation, start, end))
    return {
        "organisation": {"id": organisation.pk, "name": organisation.name, "level": organisation.level},
        "start": start, "end": end, "group_by": group_by or "",
        "totals": totals,
        "facilities": facility_counts(organisation),
        "groups": grouped(organisation, start, end, group_by) if group_by else [],
        "targets": targets_progress(organisation=organisation, year=end.year, today=today),
    }


