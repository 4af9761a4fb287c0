"""Demo statistics: a year of service records (a day's counts per facility and channel, with the seasons a
real federation sees: the Spring Festival dip, the summer peak, busier weekends, the online share rising),
recuperation trips at the sanatoriums, mutual-aid enrolments, and this year's targets for the province and
its cities, so the dashboard of stats@example.com looks like a provincial federation's. Idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from facilities.models import Facility, FacilityKind

from .models import ServiceRecord, ServiceSource, Target
from .rollups import rollup_rebuild_range, rollups_refresh

# Demo history has no booking or stay behind it: it is counted as an import, each row its own source.
DEMO_SOURCE_BASE = 9_000_000_000
MONTH_FACTOR = {1: 0.75, 2: 0.55, 3: 0.95, 4: 1.0, 5: 1.1, 6: 1.05, 7: 1.3, 8: 1.35, 9: 1.0, 10: 1.1, 11: 0.95,
                12: 0.85}
DAILY_BASE = {"杭州工人文化宫": 900, "西湖区职工文化中心": 220, "宁波市工人文化宫": 600}


def _targets(orgs: dict, year: int) -> None:
    targets = [("zj", "person_times", 900_000), ("zj", "recuperation_trips", 6_000),
               ("zj", "skilled_worker_share", 30), ("zj", "insured_person_times", 12_000),
               ("zj", "palace_coverage", 4), ("hz", "person_times", 520_000), ("nb", "person_times", 330_000),
               ("hz", "recuperation_trips", 3_500), ("nb", "recuperation_trips", 3_000)]
    for org, metric, value in targets:
        Target.objects.update_or_create(organisation=orgs[org], year=year, metric=metric, defaults={"value": value})


def _grassroots(orgs: dict, under: str) -> list:
    root = orgs[under]
    return [o for o in orgs.values() if o.path.startswith(root.path) and o.level == "grassroots"]


def _rows(orgs: dict, start: date, end: date) -> list[dict]:
    rng = random.Random(20260101)
    palaces = list(Facility.objects.filter(kind=FacilityKind.PALACE, organisation__path__startswith=orgs["zj"].path))
    sanatorium = Facility.objects.filter(kind=FacilityKind.SANATORIUM,
                                         organisation__path__startswith=orgs["zj"].path).first()
    units = _grassroots(orgs, "zj")
    rows, day, total_days = [], start, (end - start).days + 1
    while day <= end:
        progress = (day - start).days / total_days
        weekend = 1.35 if day.weekday() >= 5 else 1.0
        season = MONTH_FACTOR[day.month] * weekend
        online_share = 0.55 + 0.2 * progress  # the platform takes over through the year
        for palace in palaces:
            persons = int(DAILY_BASE.get(palace.name, 300) * season * rng.uniform(0.8, 1.2))
            online = int(persons * online_share)
            common = {"date": day, "facility": palace, "organisation": palace.organisation}
            rows.append({**common, "kind": "activity", "channel": "online", "persons": online})
            rows.append({**common, "kind": "activity", "channel": "offline", "persons": max(1, persons - online)})
            rows.append({**common, "kind": "walk_in", "channel": "offline",
                         "persons": max(1, int(persons * 0.25 * rng.uniform(0.7, 1.3)))})
            if rng.random() < 0.3:
                rows.append({**common, "kind": "activity", "channel": "online", "model_worker": True,
                             "skilled_worker": True, "persons": rng.randint(5, 40)})
        if sanatorium is not None:
            for _trip in range(rng.randint(8, 24) if day.weekday() == 0 else rng.randint(0, 6)):
                unit = rng.choice(units)
                persons = rng.randint(1, 3)
                rows.append({"date": day, "facility": sanatorium, "organisation": unit, "kind": "stay",
                             "channel": "online" if rng.random() < 0.8 else "offline", "persons": persons,
                             "nights": persons * rng.choice([3, 4, 5]), "programme_trip": rng.random() < 0.6,
                             "skilled_worker": rng.random() < 0.32, "model_worker": rng.random() < 0.08})
        if day.weekday() < 5:
            for unit in rng.sample(units, k=min(len(units), 3)):
                rows.append({"date": day, "facility": None, "organisation": unit, "kind": "mutual_aid",
                             "channel": "online" if rng.random() < 0.7 else "offline",
                             "persons": int(rng.randint(5, 25) * MONTH_FACTOR[day.month])})
        day += timedelta(days=1)
    return rows


def seed(context: dict) -> None:
    orgs = context["orgs"]
    today = timezone.localdate()
    _targets(orgs, today.year)
    source_type = ContentType.objects.get_for_model(ServiceRecord)
    start = today - timedelta(days=364)
    if not ServiceRecord.objects.filter(source_type=source_type, source_id__gte=DEMO_SOURCE_BASE).exists():
        rows = _rows(orgs, start, today)
        ServiceSource.objects.bulk_create([ServiceSource(source_type=source_type, source_id=DEMO_SOURCE_BASE + n)
                                           for n in range(len(rows))], batch_size=2000)
        ServiceRecord.objects.bulk_create([
            ServiceRecord(source_type=source_type, source_id=DEMO_SOURCE_BASE + n, **row)
            for n, row in enumerate(rows)], batch_size=2000)
    # The other demos' bookings, stays and enrolments wrote ledger rows as they went: roll everything up.
    rollups_refresh()
    rollup_rebuild_range(start=start, end=today)
