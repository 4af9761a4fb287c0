"""On PostgreSQL the ledger is partitioned by month and each source is still counted once, even when two
transactions race to count it."""

import threading
from datetime import date

import pytest
from django.db import connection

from portal.stats.models import ServiceRecord, ServiceSource
from portal.stats.partitioning import month_starts, partitions_ensure
from portal.stats.services import service_record_add


def test_month_starts():
    assert month_starts(date(2025, 11, 15), date(2026, 2, 1)) == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_ledger_is_partitioned_by_month_and_counts_each_source_once(orgs, member):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent "
                       "WHERE c.relname = 'stats_servicerecord'")
        assert cursor.fetchone()[0] >= 12 * 11
    assert partitions_ensure(months_ahead=2, today=date(2031, 5, 1)) == 3  # a year past the migration's range

    barrier = threading.Barrier(4)
    results = []

    def count():
        try:
            barrier.wait()
            results.append(service_record_add(source=member, day=date(2031, 6, 2), organisation=orgs["unit"],
                                              kind="walk_in", channel="offline", persons=2).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=count) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert ServiceRecord.objects.count() == 1 and ServiceSource.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM stats_servicerecord")
        assert cursor.fetchone()[0] == "stats_servicerecord_y2031m06"
