"""Counted sources move to ServiceSource (filled from the ledger); on PostgreSQL the ledger becomes a
monthly partitioned table (portal/stats/partitioning.py). SQLite keeps one table and both unique checks."""

from django.db import migrations


def fill_sources(apps, schema_editor):
    ServiceRecord = apps.get_model("stats", "ServiceRecord")
    ServiceSource = apps.get_model("stats", "ServiceSource")
    ServiceSource.objects.bulk_create(
        [ServiceSource(source_type_id=t, source_id=i)
         for t, i in ServiceRecord.objects.values_list("source_type_id", "source_id").iterator()],
        batch_size=5000, ignore_conflicts=True)


def partition(apps, schema_editor):
    from portal.stats.partitioning import partition_ledger

    partition_ledger(schema_editor)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("stats", "0006_service_source")]

    operations = [
        migrations.RunPython(fill_sources, migrations.RunPython.noop),
        migrations.RunPython(partition, migrations.RunPython.noop, elidable=False),
    ]
