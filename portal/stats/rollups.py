"""The daily rollup: the ledger summed per day and key, rebuilt a whole day at a time.

A day's rollup rows are deleted and re-inserted from the ledger in one transaction (INSERT ... SELECT
... GROUP BY, no rows through Python), so any rebuild equals a full recount and running it twice changes
nothing. New ledger rows mark their day dirty (`RollupDirtyDay`, written in the ledger row's transaction);
`rollups_refresh` rebuilds the dirty days. Days are taken with SELECT ... FOR UPDATE SKIP LOCKED and the
mark is deleted in the rebuilding transaction: a record committed meanwhile marks its day again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction

from .models import DailyRollup, MonthlyRollup, RollupDirtyDay, ServiceRecord

KEY_COLUMNS = ("date", "facility_id", "organisation_id", "kind", "channel", "model_worker", "skilled_worker",
               "programme_trip")
REFRESH_BATCH_DAYS = 31


def _insert_select(where: str) -> str:
    keys = ", ".join(KEY_COLUMNS)
    # Table and column names are ours; values are bound parameters.
    return (f"INSERT INTO {DailyRollup._meta.db_table} ({keys}, persons, nights, records) "  # noqa: S608
            f"SELECT {keys}, SUM(persons), SUM(nights), COUNT(*) FROM {ServiceRecord._meta.db_table} "
            f"WHERE {where} GROUP BY {keys}")


def _month(day: date) -> date:
    return day.replace(day=1)


def _month_end(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1) - timedelta(days=1)


def monthly_rebuild(*, months: Iterable[date]) -> None:
    """Rebuild the monthly rows of `months` (first days) from the daily rollup, in the caller's transaction."""
    from .summary import METRICS

    for month in sorted(set(months)):
        MonthlyRollup.objects.filter(month=month).delete()
        rows = (DailyRollup.objects.filter(date__range=(month, _month_end(month))).values("organisation")
                .annotate(**METRICS).order_by())
        MonthlyRollup.objects.bulk_create([MonthlyRollup(month=month, organisation_id=r.pop("organisation"), **r)
                                           for r in rows], batch_size=5000)


def rollup_rebuild_range(*, start: date, end: date) -> int:
    """Rebuild every rollup row from `start` to `end` (inclusive) from the ledger; returns rows written."""
    with transaction.atomic(), connection.cursor() as cursor:
        DailyRollup.objects.filter(date__range=(start, end)).delete()
        cursor.execute(_insert_select("date >= %s AND date <= %s"), [start, end])
        written = cursor.rowcount
        RollupDirtyDay.objects.filter(date__range=(start, end)).delete()
        month, months = _month(start), []
        while month <= end:
            months.append(month)
            month = _month_end(month) + timedelta(days=1)
        monthly_rebuild(months=months)
        return written


def rollup_rebuild_days(*, days: Iterable[date]) -> None:
    days = sorted(set(days))
    if not days:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        DailyRollup.objects.filter(date__in=days).delete()
        placeholders = ", ".join(["%s"] * len(days))
        cursor.execute(_insert_select(f"date IN ({placeholders})"), days)
        monthly_rebuild(months=[_month(d) for d in days])


def mark_day_dirty(day: date) -> None:
    """Called in the transaction that adds a ledger row for `day`."""
    RollupDirtyDay.objects.bulk_create([RollupDirtyDay(date=day)], ignore_conflicts=True)


def rollups_refresh() -> int:
    """Rebuild every day marked dirty; returns the number of days rebuilt. Safe to run twice or concurrently."""
    total = 0
    while True:
        with transaction.atomic():
            days = list(RollupDirtyDay.objects.select_for_update(skip_locked=True).order_by("date")
                        .values_list("date", flat=True)[:REFRESH_BATCH_DAYS])
            if not days:
                return total
            RollupDirtyDay.objects.filter(date__in=days).delete()
            rollup_rebuild_days(days=days)
        total += len(days)
