"""Statistics reads go to a read replica when `DATABASE_REPLICA_URL` is set (settings add the `replica` alias
and this router). Only the ledger and its rollups are read there: figures a few seconds old are fine for a
dashboard or an export. Anything that decides capacity or money (seats, nights, quotas, payments) and the
ledger's own once-per-source check read the primary: they never go through this router's models, or they
ask for the primary explicitly (`portal/stats/services.py`)."""

from __future__ import annotations

from django.conf import settings

REPLICA = "replica"
REPLICA_MODELS = {"stats.servicerecord", "stats.dailyrollup"}


class StatsReplicaRouter:
    def db_for_read(self, model, **hints):
        if REPLICA in settings.DATABASES and model._meta.label_lower in REPLICA_MODELS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # migrations reach the replica by replication
