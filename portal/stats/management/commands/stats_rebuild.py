"""Rebuild the daily rollups of a date range from the ledger: `manage.py stats_rebuild --from 2026-01-01
--to 2026-12-31`. The result equals a full recount, and running it again changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from portal.stats.rollups import rollup_rebuild_range

CHUNK_DAYS = 31


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Rebuild the statistics rollups for a date range (inclusive) from the service ledger."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, type=_day)
        parser.add_argument("--to", dest="end", required=True, type=_day)

    def handle(self, *args, start: date, end: date, **options):
        if end < start:
            raise CommandError("--to must not be before --from")
        rows, day = 0, start
        while day <= end:  # a month per transaction: short locks, and progress you can follow
            last = min(end, day + timedelta(days=CHUNK_DAYS - 1))
            rows += rollup_rebuild_range(start=day, end=last)
            day = last + timedelta(days=1)
        self.stdout.write(f"rebuilt {start}..{end}: {rows} rollup rows")
