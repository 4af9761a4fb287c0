from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, router, transaction

from portal.members.models import Member, Organisation
from portal.queue import enqueue_on_commit

from .models import ServiceRecord, ServiceSource
from .rollups import mark_day_dirty


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
            mark_day_dirty(day)
    except IntegrityError:
        return ServiceRecord.objects.using(primary).get(source_type=source_type, source_id=source.pk)
    enqueue_on_commit("portal.stats.tasks.rollups_refresh")
    return record
