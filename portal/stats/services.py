"""Writes to the service ledger. Every ledger row is counted once per source (a `ServiceSource` row, unique, in
the same transaction) and ends in `ledger_days_changed`, which marks its day for the rollups and queues their
refresh: one row through `service_record_add`, many at once (a roster import) through `LedgerBulk`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, router, transaction

from portal.copying import insert_rows
from portal.members.models import Member, Organisation
from portal.queue import enqueue_on_commit

from .models import ServiceRecord, ServiceSource
from .rollups import mark_days_dirty

REFRESH_TASK = "portal.stats.tasks.rollups_refresh"


def ledger_days_changed(*, days: Iterable[date]) -> None:
    """Called in the transaction that added ledger rows on `days`: each day is marked dirty once (committed with
    the rows, so a lost task still leaves the mark for the beat refresh) and one refresh runs after commit."""
    days = set(days)
    if not days:
        return
    mark_days_dirty(days=days)
    enqueue_on_commit(REFRESH_TASK)


def service_record_add(*, source, day: date, organisation: Organisation, kind: str, channel: str,
                       facility=None, member: Member | None = None, persons: int = 1, nights: int = 0,
                       programme_trip: bool = False) -> ServiceRecord:
    """Count a service once per source: calling again for the same source returns the first record."""
    source_type = ContentType.objects.get_for_model(source)
    primary = router.db_for_write(ServiceRecord)  # never a lagging replica: this check keeps the count once
    existing = ServiceRecord.objects.using(primary).filter(source_type=source_type, source_id=source.pk).first()
    if existing is not None:
        return existing
    record = ServiceRecord(
        source_type=source_type, source_id=source.pk, date=day, organisation=organisation, kind=kind,
        channel=channel, facility=facility, persons=persons, nights=nights, programme_trip=programme_trip,
        model_worker=bool(member and member.is_model_worker), skilled_worker=bool(member and member.skilled_worker),
    )
    try:
        with transaction.atomic():
            ServiceSource.objects.create(source_type=source_type, source_id=source.pk)  # the once-only guard
            record.save()
            ledger_days_changed(days=[day])
    except IntegrityError:
        return ServiceRecord.objects.using(primary).get(source_type=source_type, source_id=source.pk)
    return record


@dataclass
class LedgerBulk:
    """Many ledger rows in one transaction (a roster commit: 100,000 rows), counted like `service_record_add`
    but written with COPY (`portal.copying.insert_rows`): each batch's `ServiceSource` rows, then its ledger
    rows. A source counted already fails the unique index and so the caller's whole transaction, never a
    second count. `close()` marks the days, once, at the end of the transaction: a dirty-day row written early
    would make every other ledger write for that day (check-ins, today) wait for this long transaction."""

    days: set[date] = field(default_factory=set)

    def add(self, *, source_type: ContentType, rows: list[dict]) -> list[int]:
        """`rows` are ServiceRecord attribute dicts (`organisation_id`, `date`, ... and `source_id`)."""
        insert_rows(ServiceSource, [{"source_type_id": source_type.pk, "source_id": row["source_id"]}
                                    for row in rows])
        ids = insert_rows(ServiceRecord, [{**row, "source_type_id": source_type.pk} for row in rows])
        self.days.update(row["date"] for row in rows)
        return ids

    def close(self) -> None:
        ledger_days_changed(days=self.days)
        self.days = set()
