"""Rollup rebuilds of the same month at once on PostgreSQL, each thread on its own connection.

- One rebuild holds its transaction open while a second rebuilds another day of the same month: the month is
  counted once (the second waits, then replaces the first one's rows), never twice.
- Refreshes, day rebuilds and `stats_rebuild` ranges over the same month race: no deadlock, no duplicate row, and
  the daily and monthly figures equal a full recount of the ledger.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from django.db import connections, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from portal.stats import rollups
from portal.stats.models import DailyRollup, MonthlyRollup, RollupDirtyDay, ServiceRecord
from portal.stats.rollups import KEY_COLUMNS, mark_day_dirty, rollup_rebuild_days, rollup_rebuild_range
from tests import factories
from tests.stats.conftest import records

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JANUARY = date(2026, 1, 1)
KEYS = [k.removesuffix("_id") for k in KEY_COLUMNS]


def _monthly_recount() -> dict:
    return {(r["m"], r["organisation"]): r["p"] for r in ServiceRecord.objects.annotate(m=TruncMonth("date"))
            .values("m", "organisation").annotate(p=Sum("persons"))}


def _daily_recount() -> dict:
    return {tuple(r[k] for k in KEYS): (r["p"], r["n"]) for r in ServiceRecord.objects.values(*KEYS)
            .annotate(p=Sum("persons"), n=Count("id"))}


def _assert_counted_once() -> None:
    monthly = list(MonthlyRollup.objects.values_list("month", "organisation", "person_times"))
    assert len(monthly) == len({(m, o) for m, o, _p in monthly}), "a month counted twice"
    assert {(m, o): p for m, o, p in monthly if p} == _monthly_recount()
    daily = {tuple(r[k] for k in KEYS): (r["persons"], r["records"])
             for r in DailyRollup.objects.values(*KEYS, "persons", "records")}
    assert DailyRollup.objects.count() == len(daily), "a day's key rolled up twice"
    assert daily == _daily_recount()


def _in_thread(job, errors: list[str]):
    def wrap():
        try:
            job()
        except Exception as exc:  # noqa: BLE001 - collected and asserted: a deadlock or a duplicate key
            errors.append(repr(exc))
        finally:
            connections.close_all()

    return wrap


def test_a_second_rebuild_of_the_month_waits_for_the_first_and_counts_it_once():
    orgs = factories.org_tree()
    first_day, second_day = JANUARY + timedelta(days=4), JANUARY + timedelta(days=19)
    records([{"date": first_day, "organisation": orgs["unit"], "persons": 30},
             {"date": first_day, "organisation": orgs["city"], "persons": 5},
             {"date": second_day, "organisation": orgs["unit"], "persons": 12}])
    first_done, second_going = threading.Event(), threading.Event()
    errors: list[str] = []

    def first():
        with transaction.atomic():
            rollup_rebuild_days(days=[first_day])
            first_done.set()
            second_going.wait(timeout=30)
            time.sleep(0.5)  # still open while the second rebuild runs (or waits for this commit)

    def second():
        first_done.wait(timeout=30)
        second_going.set()
        rollup_rebuild_days(days=[second_day])

    threads = [threading.Thread(target=_in_thread(job, errors)) for job in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert dict(MonthlyRollup.objects.values_list("organisation", "person_times")) == {
        orgs["unit"].pk: 42, orgs["city"].pk: 5}
    _assert_counted_once()


def test_refreshes_day_rebuilds_and_ranges_racing_on_one_month_equal_a_recount(monkeypatch):
    orgs = factories.org_tree()
    monkeypatch.setattr(rollups, "REFRESH_BATCH_DAYS", 2)  # several refreshes share the month's days
    where = ["unit", "unit2", "city", "sibling_unit"]
    for round_number in range(3):
        rows = [{"date": JANUARY + timedelta(days=(n * 7 + round_number) % 31), "organisation": orgs[where[n % 4]],
                 "persons": 1 + n % 5, "kind": ("activity", "stay", "mutual_aid")[n % 3]} for n in range(60)]
        records(rows)
        for row in rows:
            mark_day_dirty(row["date"])
        days = sorted({row["date"] for row in rows})
        jobs = [rollups.rollups_refresh, rollups.rollups_refresh, rollups.rollups_refresh,
                lambda: rollup_rebuild_range(start=JANUARY, end=JANUARY + timedelta(days=30)),
                lambda: rollup_rebuild_range(start=JANUARY + timedelta(days=10), end=JANUARY + timedelta(days=40)),
                lambda: rollup_rebuild_days(days=days[:3]), lambda: rollup_rebuild_days(days=days[-3:])]
        errors: list[str] = []
        start = threading.Barrier(len(jobs))

        def at_once(job):
            def go():
                start.wait(timeout=30)
                job()
            return go

        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            for future in [pool.submit(_in_thread(at_once(job), errors)) for job in jobs]:
                future.result()
        assert errors == []
        assert not RollupDirtyDay.objects.exists()
        _assert_counted_once()
