"""Statistics reads go to a read replica when `DATABASE_REPLICA_URL` is set (settings add the `replica` alias
and this router). Only the ledger and its rollups are read there: figures a few seconds old are fine for a
dashboard or an export. Anything that decides capacity or money (seats, nights, quotas, payments) and the
ledger's own once-per-source check read the primary: they never go through this router's models, or they
ask for the primary explicitly (`portal/stats/services.py`, `rollups.py`).

Inside a transaction on the primary every read stays on the primary: a rebuild (or any write) must see the
rows it has just written, which the replica has not got, and reads a consistent snapshot with them."""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
REPLICA_MODELS = {"stats.servicerecord", "stats.dailyrollup", "stats.monthlyrollup"}


class StatsReplicaRouter:
    def db_for_read(self, model, **hints):
        if REPLICA not in settings.DATABASES or model._meta.label_lower not in REPLICA_MODELS:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # migrations reach the replica by replication
