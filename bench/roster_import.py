"""Roster import: 100,000 valid rows as CSV and as XLSX, each imported on PostgreSQL through the real
services (upload + validate, then confirm + commit), against one COPY of the same rows as the baseline.

Sets up its own PostgreSQL database (dropped afterwards). Each import runs in its own process, so its
peak RSS is the import's own (Django included). Prints one JSON line: rows, validate_s, commit_s,
rows_per_s, peak_rss_mb, copy_s, ratio ((validate_s + commit_s) / copy_s) for the CSV, the same figures
prefixed xlsx_ for the workbook, total_s (the CSV import, end to end), python_cpu_s (CPU the importing
process used: on a busy machine wall time also counts waiting for a core) and loadavg_1m.

    .venv/bin/python bench/roster_import.py     (or: make bench)

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/portal_bench), BENCH_ROWS.
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

from bench._common import PYTHON, ROOT, log, scratch_database  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", 100_000))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")


def _env(media: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "DATABASE_URL": DATABASE_URL,
           "MEDIA_ROOT": media, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)  # tasks run eagerly in the importing process: the time measured is all of it
    return env


def _child(args: list[str], media: str) -> dict:
    out = subprocess.run([PYTHON, __file__, *args], cwd=ROOT, env=_env(media), check=True,  # noqa: S603
                         stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def setup() -> dict:
    """(child) Migrate, then a union tree, a mutual-aid officer and an open union-funded scheme."""
    import django

    django.setup()
    from django.core.management import call_command

    from portal.members.models import Role
    from tests import factories
    from tests.mutualaid.roster_files import make_scheme

    call_command("migrate", verbosity=0, interactive=False)
    orgs = factories.org_tree()
    officer = factories.staff(organisation=orgs["city"], role=Role.MUTUALAID_OFFICER)
    scheme = make_scheme(orgs["city"], max_age=None, min_age=None)
    return {"officer": officer.pk, "scheme": scheme.pk, "unit": orgs["unit"].pk}


def run_import(ids: dict, path: str) -> dict:
    """(child) Upload + validate, then confirm + commit, through the services; returns timings and peak RSS."""
    import resource

    import django

    django.setup()
    from django.core.files import File

    from mutualaid.models import Enrolment, RosterImport, RosterStatus
    from mutualaid.roster import services
    from portal.members.models import User
    from portal.stats.models import ServiceRecord

    officer = User.objects.get(pk=ids["officer"])
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    started = time.perf_counter()
    with open(path, "rb") as fh:  # tasks are eager: the check runs as the upload's transaction commits
        roster = services.roster_upload(actor=officer, scheme_id=ids["scheme"], organisation_id=ids["unit"],
                                        file=File(fh, name=Path(path).name))
    validated = time.perf_counter()
    roster = RosterImport.objects.get(pk=roster.pk)
    if roster.status != RosterStatus.VALID or roster.rows_total != ROWS:
        raise SystemExit(f"validation: {roster.status} {roster.rows_total} rows {roster.errors_count} errors "
                         f"{roster.failure}")
    services.roster_confirm(actor=officer, roster_id=roster.pk)
    committed = time.perf_counter()
    roster.refresh_from_db()
    written = Enrolment.objects.filter(roster_import=roster).count()
    if roster.status != RosterStatus.DONE or written != ROWS:
        raise SystemExit(f"commit: {roster.status} {written} enrolments {roster.failure}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"validate_s": round(validated - started, 2), "commit_s": round(committed - validated, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime - cpu_before, 2),
            "service_records": ServiceRecord.objects.count()}


def copy_baseline(path: Path) -> float:
    """The same rows written with one COPY into a scratch table (the floor for writing them at all)."""
    import psycopg

    with psycopg.connect(DATABASE_URL) as conn:
        conn.execute("CREATE TABLE bench_roster_copy (name text, id_number text, phone text, shares int)")
        started = time.perf_counter()
        with conn.cursor() as cursor, path.open("rb") as fh, cursor.copy(
                "COPY bench_roster_copy FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')") as copy:
            copy.write(fh.read(1 << 20).removeprefix(b"\xef\xbb\xbf"))  # the BOM Excel writes is not data
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        elapsed = time.perf_counter() - started
        count = conn.execute("SELECT count(*) FROM bench_roster_copy").fetchone()[0]
    if count != ROWS:
        raise SystemExit(f"COPY wrote {count} rows")
    return elapsed


def main() -> None:
    from tests.mutualaid.roster_files import rows, write_csv_file, write_xlsx

    with tempfile.TemporaryDirectory(prefix="roster-bench-") as tmp, scratch_database(DATABASE_URL):
        tmp_path = Path(tmp)
        media = str(tmp_path / "media")
        csv_path, xlsx_path = tmp_path / "roster.csv", tmp_path / "roster.xlsx"
        log(f"generating {ROWS:,} rows as CSV and XLSX")
        write_csv_file(csv_path, rows(ROWS))
        write_xlsx(xlsx_path, rows(ROWS, start=ROWS))  # other people: both imports create every member
        log("migrating and seeding")
        ids = _child(["setup"], media)
        log("importing the CSV")
        csv_figures = _child(["import", json.dumps(ids), str(csv_path)], media)
        log("importing the XLSX")
        xlsx_figures = _child(["import", json.dumps(ids), str(xlsx_path)], media)
        log("COPY baseline")
        copy_s = copy_baseline(csv_path)
    total = csv_figures["validate_s"] + csv_figures["commit_s"]
    xlsx_total = xlsx_figures["validate_s"] + xlsx_figures["commit_s"]
    print(json.dumps({
        "rows": ROWS, "validate_s": csv_figures["validate_s"], "commit_s": csv_figures["commit_s"],
        "total_s": round(total, 2), "rows_per_s": round(ROWS / total), "peak_rss_mb": csv_figures["peak_rss_mb"],
        "python_cpu_s": csv_figures["cpu_s"],
        "copy_s": round(copy_s, 3), "ratio": round(total / copy_s, 1),
        "xlsx_validate_s": xlsx_figures["validate_s"], "xlsx_commit_s": xlsx_figures["commit_s"],
        "xlsx_rows_per_s": round(ROWS / xlsx_total), "xlsx_peak_rss_mb": xlsx_figures["peak_rss_mb"],
        "xlsx_python_cpu_s": xlsx_figures["cpu_s"],
        "xlsx_ratio": round(xlsx_total / copy_s, 1), "cores": os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["setup"]:
        print(json.dumps(setup()))
    elif sys.argv[1:2] == ["import"]:
        print(json.dumps(run_import(json.loads(sys.argv[2]), sys.argv[3])))
    else:
        main()
