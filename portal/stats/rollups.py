"""The daily rollup: the ledger summed per day and key, rebuilt a whole day at a time.

A day's rollup rows are deleted and re-inserted from the ledger in one transaction (INSERT ... SELECT
... GROUP BY, no rows through Python), so any rebuild equals a full recount and running it twice changes
nothing. New ledger rows mark their day dirty (`RollupDirtyDay`, written in the ledger row's transaction);
`rollups_refresh` rebuilds the dirty days. Days are taken with SELECT ... FOR UPDATE SKIP LOCKED and the
mark is deleted in the rebuilding transaction: a record committed meanwhile marks its day again.

Two rebuilds touching the same month (two refreshes of different days, a refresh and `stats_rebuild`) are
serialised by a transaction-level advisory lock per month on PostgreSQL, taken after the dirty-day rows and in
month order, so neither deadlocks and the second one's DELETE sees (and replaces) the first one's rows. The
unique keys of both rollup tables make any other overlap an error instead of a double count. SQLite lets one
writer at a time in anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, router, transaction

from .models import DailyRollup, MonthlyRollup, RollupDirtyDay, ServiceRecord

KEY_COLUMNS = ("date", "facility_id", "organisation_id", "kind", "channel", "model_worker", "skilled_worker",
               "programme_trip")
REFRESH_BATCH_DAYS = 31
# pg_advisory_xact_lock(namespace, month number): the namespace keeps these apart from any other advisory lock.
MONTH_LOCK_NAMESPACE = 0x5354  # "ST"


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


def lock_months(*, months: Iterable[date]) -> None:
    """Hold each month (first day) until the caller's transaction ends: one rebuild of a month at a time. Taken
    once per rebuild, after its dirty-day rows and just before its first DELETE, in month order."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for month in sorted(set(months)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                           [MONTH_LOCK_NAMESPACE, month.year * 12 + month.month - 1])


def monthly_rebuild(*, months: Iterable[date]) -> None:
    """Rebuild the monthly rows of `months` (first days) from the daily rollup, in the caller's transaction,
    which holds the months' locks (`lock_months`)."""
    from .summary import METRICS

    # The daily rows this transaction has just written: the primary's, never a replica's (which lags).
    primary = router.db_for_write(DailyRollup)
    for month in sorted(set(months)):
        MonthlyRollup.objects.filter(month=month).delete()
        rows = (DailyRollup.objects.using(primary).filter(date__range=(month, _month_end(month)))
                .values("organisation").annotate(**METRICS).order_by())
        MonthlyRollup.objects.bulk_create([MonthlyRollup(month=month, organisation_id=r.pop("organisation"), **r)
                                           for r in rows], batch_size=5000)


def _months_of(start: date, end: date) -> list[date]:
    month, months = _month(start), []
    while month <= end:
        months.append(month)
        month = _month_end(month) + timedelta(days=1)
    return months


def rollup_rebuild_range(*, start: date, end: date) -> int:
    """Rebuild every rollup row from `start` to `end` (inclusive) from the ledger; returns rows written."""
    months = _months_of(start, end)
    with transaction.atomic(), connection.cursor() as cursor:
        # The dirty-day rows first, then the months, as rollups_refresh takes them: no lock cycle between the two.
        RollupDirtyDay.objects.filter(date__range=(start, end)).delete()
        lock_months(months=months)
        DailyRollup.objects.filter(date__range=(start, end)).delete()
        cursor.execute(_insert_select("date >= %s AND date <= %s"), [start, end])
        written = cursor.rowcount
        monthly_rebuild(months=months)
        return written


def rollup_rebuild_days(*, days: Iterable[date]) -> None:
    days = sorted(set(days))
    if not days:
        return
    months = [_month(d) for d in days]
    with transaction.atomic(), connection.cursor() as cursor:
        lock_months(months=months)
        DailyRollup.objects.filter(date__in=days).delete()
        placeholders = ", ".join(["%s"] * len(days))
        cursor.execute(_insert_select(f"date IN ({placeholders})"), days)
        monthly_rebuild(months=months)


def mark_days_dirty(*, days: Iterable[date]) -> None:
    """Called in the transaction that adds ledger rows on `days` (portal.stats.services.ledger_days_changed).
    In date order, as rollups_refresh locks them."""
    RollupDirtyDay.objects.bulk_create([RollupDirtyDay(date=day) for day in sorted(set(days))],
                                       ignore_conflicts=True)


def mark_day_dirty(day: date) -> None:
    mark_days_dirty(days=[day])


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
