"""Service per asset: how many person-times each facility served against what it is worth and its floor area
(the latest asset record up to the period's last year), so idle assets stand out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from facilities.models import AssetRecord, Facility
from portal.members.models import Organisation

from .models import DailyRollup

FEN_PER_10K_YUAN = 1_000_000


def latest_assets(facility_ids: list[int], year: int) -> dict[int, AssetRecord]:
    latest: dict[int, AssetRecord] = {}
    for record in AssetRecord.objects.filter(facility_id__in=facility_ids, year__lte=year).order_by("year"):
        latest[record.facility_id] = record
    return latest


def service_per_asset(*, organisation: Organisation, start: date, end: date) -> list[dict]:
    """Every facility in the subtree, busiest per 10,000 yuan of book value first; those with no service last."""
    facilities = list(Facility.objects.filter(organisation__path__startswith=organisation.path)
                      .select_related("organisation").order_by("name"))
    served = dict(DailyRollup.objects.filter(facility__in=[f.pk for f in facilities], date__range=(start, end))
                  .values("facility").annotate(n=Coalesce(Sum("persons"), 0)).values_list("facility", "n"))
    assets = latest_assets([f.pk for f in facilities], end.year)
    rows = []
    for facility in facilities:
        record = assets.get(facility.pk)
        persons = int(served.get(facility.pk, 0))
        book = record.book_value_fen if record else None
        floor = record.floor_area_m2 if record and record.floor_area_m2 else None
        rows.append({
            "facility_id": facility.pk, "name": facility.name, "kind": facility.kind,
            "organisation": facility.organisation.name, "person_times": persons,
            "book_value_fen": book, "floor_area_m2": float(floor) if floor is not None else None,
            "per_10k_yuan": round(persons * FEN_PER_10K_YUAN / book, 2) if book else None,
            "per_m2": round(float(Decimal(persons) / floor), 3) if floor else None,
            "idle": persons == 0,
        })
    rows.sort(key=lambda r: (r["idle"], -(r["per_10k_yuan"] or 0), -r["person_times"], r["name"]))
    return rows
