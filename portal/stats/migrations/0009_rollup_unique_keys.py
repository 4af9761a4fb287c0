"""One rollup row per key: unique (month, organisation) on MonthlyRollup and unique on the daily key (facility
NULL counted as one value) on DailyRollup. Neither table is partitioned (only the ledger is, 0007).

Concurrent refreshes may already have left duplicate rows (a double count) before this: all but one row of
each duplicated key go, and their days are marked dirty, so the next rollups_refresh (beat, 5 minutes) rebuilds
them from the ledger. A month's monthly rows are rebuilt with any of its days: its first day is marked."""

import django.db.models.functions.comparison
from django.db import migrations, models
from django.db.models import Count, Max


def drop_duplicates(apps, schema_editor):
    DailyRollup = apps.get_model("stats", "DailyRollup")
    MonthlyRollup = apps.get_model("stats", "MonthlyRollup")
    RollupDirtyDay = apps.get_model("stats", "RollupDirtyDay")
    dirty = set()
    keys = ("date", "facility", "organisation", "kind", "channel", "model_worker", "skilled_worker", "programme_trip")
    for key in (DailyRollup.objects.values(*keys).annotate(n=Count("id"), keep=Max("id")).filter(n__gt=1)
                .order_by()):
        same = {k if key[k] is not None else f"{k}__isnull": key[k] if key[k] is not None else True for k in keys}
        DailyRollup.objects.filter(**same).exclude(id=key["keep"]).delete()
        dirty.add(key["date"])
    for key in (MonthlyRollup.objects.values("month", "organisation").annotate(n=Count("id"), keep=Max("id"))
                .filter(n__gt=1).order_by()):
        MonthlyRollup.objects.filter(month=key["month"], organisation=key["organisation"]).exclude(
            id=key["keep"]).delete()
        dirty.add(key["month"])
    RollupDirtyDay.objects.bulk_create([RollupDirtyDay(date=day) for day in sorted(dirty)], ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('facilities', '0006_room_types_nights_and_stay_policy'),
        ('members', '0006_member_joined_union_on'),
        ('stats', '0008_monthly_rollup'),
    ]

    operations = [
        migrations.RunPython(drop_duplicates, migrations.RunPython.noop),
        # The unique constraint's index on the same columns replaces it.
        migrations.RemoveIndex(
            model_name='monthlyrollup',
            name='stats_month_month_2c993e_idx',
        ),
        migrations.AddConstraint(
            model_name='dailyrollup',
            constraint=models.UniqueConstraint(models.F('date'), django.db.models.functions.comparison.Coalesce('facility', models.Value(0)), models.F('organisation'), models.F('kind'), models.F('channel'), models.F('model_worker'), models.F('skilled_worker'), models.F('programme_trip'), name='uniq_daily_rollup_key', violation_error_code='daily_rollup_exists', violation_error_message="This day's figures for this key are already rolled up."),
        ),
        migrations.AddConstraint(
            model_name='monthlyrollup',
            constraint=models.UniqueConstraint(fields=('month', 'organisation'), name='uniq_monthly_rollup_key', violation_error_code='monthly_rollup_exists', violation_error_message="This month's figures for this organisation are already rolled up."),
        ),
    ]
