"""Statistics at federation scale on PostgreSQL: 10,000,000 service records loaded with COPY (1,612 palaces
in 11 cities of one province, plus sanatoriums, over two years, every kind and channel), rollups built, then:
the summary API's p50/p99 for a province-year grouped by month and by child organisation; a CSV export of
every record through the export task (peak RSS of that process); and, as baselines in the same run, a raw
`COPY ... TO STDOUT` of the same rows and a raw GROUP BY over the ledger.

Sets up its own PostgreSQL database (dropped afterwards); each phase runs in its own process (peak RSS is
that phase's own). Prints one JSON line: records, summary_p50_ms, summary_p99_ms, raw_groupby_ms, export_s,
copy_s, export_vs_copy, export_peak_rss_mb, rollup_build_s (and load_s, rollup_rows).

    .venv/bin/python bench/stats.py     (or: make bench)

Environment: BENCH_STATS_RECORDS (default 10,000,000; e.g. 200000 for a quick run),
BENCH_STATS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/portal_bench_stats).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import PYTHON, ROOT, log, percentile, scratch_database  # noqa: E402

RECORDS = int(os.environ.get("BENCH_STATS_RECORDS", 10_000_000))
DATABASE_URL = os.environ.get("BENCH_STATS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_stats")
CITIES, PALACES = 11, 1612
FIRST_DAY = "2025-01-01"
DAYS = 730
SUMMARY_REQUESTS = int(os.environ.get("BENCH_STATS_SUMMARY_REQUESTS", 60))


def _env(media: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "DATABASE_URL": DATABASE_URL,
           "MEDIA_ROOT": media, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING",
           # loading and exporting millions of rows outlasts the web requests' statement limit
           "DB_STATEMENT_TIMEOUT_MS": "0"}
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    return env


def _child(args: list[str], media: str) -> dict:
    out = subprocess.run([PYTHON, __file__, *args], cwd=ROOT, env=_env(media), check=True,  # noqa: S603
                         stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _b36(n: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out.rjust(4, "0")


def setup() -> dict:
    """(child) Migrate; a province of 11 cities with 1,612 grassroots unions each running a palace, a sanatorium
    per city, asset records; a provincial statistician."""
    import django

    django.setup()
    from django.core.management import call_command

    from facilities.models import AssetRecord, Facility
    from portal.members.models import Organisation, Role
    from tests import factories

    call_command("migrate", verbosity=0, interactive=False)
    orgs = [Organisation(path="0001", depth=1, numchild=1, name="中华全国总工会", level="national",
                         region_code="100000"),
            Organisation(path="00010001", depth=2, numchild=CITIES, name="某省总工会", level="province",
                         region_code="330000")]
    per_city = [PALACES // CITIES + (1 if c < PALACES % CITIES else 0) for c in range(CITIES)]
    for c in range(CITIES):
        city_path = "00010001" + _b36(c + 1)
        orgs.append(Organisation(path=city_path, depth=3, numchild=per_city[c], name=f"第{c + 1}市总工会",
                                 level="city", region_code=f"33{c + 1:02d}00"))
        for u in range(per_city[c]):
            orgs.append(Organisation(path=city_path + _b36(u + 1), depth=4, numchild=0,
                                     name=f"第{c + 1}市基层工会{u + 1}", level="grassroots",
                                     region_code=f"33{c + 1:02d}00"))
    Organisation.objects.bulk_create(orgs, batch_size=2000)
    units = list(Organisation.objects.filter(depth=4).order_by("path"))
    cities = list(Organisation.objects.filter(depth=3).order_by("path"))
    Facility.objects.bulk_create([Facility(kind="palace", organisation=u, name=f"{u.name}职工之家",
                                           region_code=u.region_code) for u in units]
                                 + [Facility(kind="sanatorium", organisation=c, name=f"{c.name}疗休养院",
                                             region_code=c.region_code) for c in cities], batch_size=2000)
    facilities = list(Facility.objects.order_by("pk"))
    AssetRecord.objects.bulk_create([AssetRecord(facility=f, year=2025, book_value_fen=(5 + f.pk % 50) * 10**8,
                                                 land_area_m2=1000 + f.pk % 900, floor_area_m2=800 + f.pk % 3000,
                                                 title_status="held", operating_mode="self_run")
                                     for f in facilities], batch_size=2000)
    province = Organisation.objects.get(depth=2)
    statistician = factories.staff(organisation=province, role=Role.STATISTICIAN, email="bench-stats@example.com")
    return {"province": province.pk, "statistician": statistician.pk,
            "palaces": [(f.pk, f.organisation_id) for f in facilities if f.kind == "palace"],
            "sanatoriums": [(f.pk, f.organisation_id) for f in facilities if f.kind == "sanatorium"],
            "units": [u.pk for u in units]}


def load(ids: dict) -> dict:
    """(child) COPY the records into the ledger, then ANALYZE."""
    import django

    django.setup()
    from datetime import date, timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from portal.stats.models import ServiceRecord

    source_type = ContentType.objects.get_for_model(ServiceRecord).pk
    palaces, sanatoriums, units = ids["palaces"], ids["sanatoriums"], ids["units"]
    first = date.fromisoformat(FIRST_DAY)
    days = [(first + timedelta(days=d)).isoformat() for d in range(DAYS)]
    kinds = ("activity", "activity", "walk_in", "activity", "stay", "mutual_aid", "activity", "walk_in")
    table = ServiceRecord._meta.db_table
    columns = ("date", "facility_id", "organisation_id", "kind", "channel", "model_worker", "skilled_worker",
               "persons", "nights", "programme_trip", "source_type_id", "source_id", "created_at")
    started = time.perf_counter()
    with connection.cursor() as cursor, cursor.connection.cursor() as raw:
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            lines = []
            for n in range(RECORDS):
                h = (n * 2654435761) & 0xFFFFFFFF  # a cheap deterministic spread
                kind = kinds[h % 8]
                if kind == "stay":
                    facility, org = sanatoriums[h % len(sanatoriums)][0], units[(h >> 8) % len(units)]
                    nights = 3 + h % 3
                elif kind == "mutual_aid":
                    facility, org, nights = "\\N", units[(h >> 8) % len(units)], 0
                else:
                    facility, org = palaces[(h >> 4) % len(palaces)]
                    nights = 0
                channel = "online" if (h >> 12) % 100 < 70 else "offline"
                skilled = "t" if (h >> 16) % 100 < 25 else "f"
                model = "t" if (h >> 20) % 100 < 5 else "f"
                programme = "t" if kind == "stay" and (h >> 24) % 2 else "f"
                lines.append(f"{days[n % DAYS]}\t{facility}\t{org}\t{kind}\t{channel}\t{model}\t{skilled}\t"
                             f"{1 + h % 3}\t{nights}\t{programme}\t{source_type}\t{n + 1}\t2026-01-01 00:00:00+00\n")
                if len(lines) == 20000:
                    copy.write("".join(lines))
                    lines = []
            if lines:
                copy.write("".join(lines))
        raw.execute(f"ANALYZE {table}")
    return {"load_s": round(time.perf_counter() - started, 2)}


def rollups(ids: dict) -> dict:
    """(child) Build the rollups of the two years (the stats_rebuild command), timed."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from portal.stats.models import DailyRollup

    started = time.perf_counter()
    with open(os.devnull, "w") as sink:
        call_command("stats_rebuild", "--from", "2025-01-01", "--to", "2026-12-31", stdout=sink)
    build = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have by now: the planner needs the tables' sizes
    return {"rollup_build_s": round(build, 2), "rollup_rows": DailyRollup.objects.count()}


def summary(ids: dict) -> dict:
    """(child) The summary API through Django's full stack (middleware, auth, serializers), in process."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from portal.members.models import Organisation, User
    from portal.stats.models import ServiceRecord
    from tests.factories import sign_in

    client = sign_in(Client(), User.objects.get(pk=ids["statistician"]))
    province = Organisation.objects.get(pk=ids["province"])
    latencies = []
    for group_by in ("month", "child"):
        url = f"/api/v1/stats/summary/?org={province.pk}&start=2026-01-01&end=2026-12-31&group_by={group_by}"
        for n in range(SUMMARY_REQUESTS + 5):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.content[:300]
            if n >= 5:  # warm-up
                latencies.append(elapsed)
    table = ServiceRecord._meta.db_table
    raw = []
    with connection.cursor() as cursor:
        for _n in range(5):
            started = time.perf_counter()
            cursor.execute(f"SELECT date_trunc('month', r.date), SUM(r.persons), "  # noqa: S608 - our names
                           f"SUM(r.persons) FILTER (WHERE r.channel = 'online') FROM {table} r "
                           f"JOIN members_organisation o ON o.id = r.organisation_id "
                           f"WHERE o.path LIKE %s AND r.date BETWEEN '2026-01-01' AND '2026-12-31' GROUP BY 1",
                           [province.path + "%"])
            cursor.fetchall()
            raw.append((time.perf_counter() - started) * 1000)
    return {"summary_p50_ms": round(percentile(latencies, 50), 1),
            "summary_p99_ms": round(percentile(latencies, 99), 1), "raw_groupby_ms": round(min(raw), 1)}


def export(ids: dict) -> dict:
    """(child) Every record of the province over the two years as CSV, through the export task's body."""
    import resource

    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from portal.members.models import Organisation, User
    from portal.stats.exports.services import export_run
    from portal.stats.models import Export

    export = Export.objects.create(
        requester=User.objects.get(pk=ids["statistician"]), organisation=Organisation.objects.get(pk=ids["province"]),
        kind="service_records", format="csv", filters={"start": "2025-01-01", "end": "2026-12-31"},
        language="zh-hans", expires_at=timezone.now() + timedelta(days=1))
    started = time.perf_counter()
    outcome = export_run(export_id=export.pk)
    elapsed = time.perf_counter() - started
    export.refresh_from_db()
    assert outcome == "done" and export.row_count == RECORDS, (outcome, export.row_count, export.error)
    return {"export_s": round(elapsed, 2), "export_rows": export.row_count,
            "export_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def copy_out(ids: dict) -> dict:
    """(child) The baseline: the same rows and columns with COPY ... TO STDOUT (CSV), written to a file."""
    import django

    django.setup()
    from django.db import connection

    from portal.stats.models import ServiceRecord

    sql = (f"COPY (SELECT r.date, o.name, f.name, r.kind, r.channel, r.model_worker, r.skilled_worker, "
           f"r.programme_trip, r.persons, r.nights FROM {ServiceRecord._meta.db_table} r "
           f"JOIN members_organisation o ON o.id = r.organisation_id "
           f"LEFT JOIN facilities_facility f ON f.id = r.facility_id "
           f"WHERE o.path LIKE '00010001%%' AND r.date BETWEEN '2025-01-01' AND '2026-12-31' "
           f"ORDER BY r.date, r.id) TO STDOUT WITH (FORMAT csv)")
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, connection.cursor() as cursor, cursor.connection.cursor() as raw:
        with raw.copy(sql.replace("%%", "%")) as copy:
            for block in copy:
                out.write(block)
    return {"copy_s": round(time.perf_counter() - started, 2)}


PHASES = {"setup": setup, "load": load, "rollups": rollups, "summary": summary, "export": export, "copy": copy_out}


def main() -> None:
    log(f"statistics benchmark: {RECORDS:,} records, database {DATABASE_URL.rsplit('/', 1)[-1]}")
    figures: dict = {"records": RECORDS}
    with scratch_database(DATABASE_URL), tempfile.TemporaryDirectory() as media:
        ids = _child(["setup"], media)
        ids_file = Path(media) / "ids.json"
        ids_file.write_text(json.dumps(ids))
        for phase in ("load", "rollups", "summary", "copy", "export"):
            log(f"{phase} ...")
            figures.update(_child([phase, str(ids_file)], media))
            log(f"{phase}: {figures}")
    figures["export_vs_copy"] = round(figures["export_s"] / figures["copy_s"], 2) if figures["copy_s"] else None
    figures.pop("export_rows", None)
    print(json.dumps(figures))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        phase = sys.argv[1]
        arg = json.loads(Path(sys.argv[2]).read_text()) if len(sys.argv) > 2 else {}
        print(json.dumps(PHASES[phase](arg) if phase != "setup" else setup()))
    else:
        main()
