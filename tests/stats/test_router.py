"""Statistics reads go to the replica when one is configured; capacity, money and exports never do, and nothing
that reads inside a transaction on the primary (a rollup rebuild) reads the replica, which lacks its writes."""

from datetime import date

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import router as db_router
from django.db.backends.sqlite3.base import DatabaseWrapper as SqliteWrapper

from bookings.models import Session
from portal.payments.models import Payment
from portal.stats.models import DailyRollup, Export, MonthlyRollup, ServiceRecord, Target
from portal.stats.rollups import rollup_rebuild_range
from portal.stats.router import StatsReplicaRouter

from .conftest import records


@pytest.fixture
def replica_configured(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}


def test_ledger_and_rollups_read_from_the_replica_when_it_is_configured(replica_configured):
    router = StatsReplicaRouter()
    assert router.db_for_read(ServiceRecord) == "replica"
    assert router.db_for_read(DailyRollup) == "replica"
    assert router.db_for_read(MonthlyRollup) == "replica"  # whole-month summaries, the dashboard
    for model in (Session, Payment, Export, Target):
        assert router.db_for_read(model) is None
    assert router.db_for_write(ServiceRecord) is None
    assert router.allow_migrate("replica", "stats") is False and router.allow_migrate("default", "stats") is True


def test_inside_a_transaction_on_the_primary_every_read_stays_there(replica_configured, monkeypatch):
    monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "in_atomic_block", True)
    router = StatsReplicaRouter()
    for model in (ServiceRecord, DailyRollup, MonthlyRollup):
        assert router.db_for_read(model) == DEFAULT_DB_ALIAS


def test_without_a_replica_everything_reads_the_primary(settings):
    settings.DATABASES = {k: v for k, v in settings.DATABASES.items() if k != "replica"}
    assert StatsReplicaRouter().db_for_read(ServiceRecord) is None


@pytest.fixture
def lagging_replica(db, replica_configured, tmp_path, monkeypatch):
    """A `replica` alias that has the rollup tables but none of the primary's rows (a replica that lags), with
    the router installed as settings install it."""
    config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "replica.sqlite3"),
              "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
              "OPTIONS": {}, "TIME_ZONE": None, "USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "TEST": {}}
    # Registered as a connection but not in the settings' aliases: the test runner allows it (a dynamic one).
    replica = SqliteWrapper(config, alias="replica")
    connections["replica"] = replica
    with replica.schema_editor() as editor:
        for model in (ServiceRecord, DailyRollup, MonthlyRollup):
            editor.create_model(model)
    monkeypatch.setattr(db_router, "routers", [StatsReplicaRouter()])
    yield replica
    replica.close()
    del connections["replica"]


@pytest.mark.django_db
def test_a_rebuild_reads_its_own_daily_rows_not_a_lagging_replica(lagging_replica, orgs, province_api):
    records([{"date": date(2026, 1, 5), "organisation": orgs["unit"], "persons": 30},
             {"date": date(2026, 1, 20), "organisation": orgs["city"], "persons": 12}])
    rollup_rebuild_range(start=date(2026, 1, 1), end=date(2026, 1, 31))
    # A whole month is read from the monthly rollup: right only if the rebuild summed the daily rows it wrote.
    body = province_api.get("/api/v1/stats/summary/", {"start": "2026-01-01", "end": "2026-01-31"}).json()
    assert body["totals"]["person_times"] == 42
    assert dict(MonthlyRollup.objects.values_list("organisation", "person_times")) == {
        orgs["unit"].pk: 30, orgs["city"].pk: 12}
    assert not MonthlyRollup.objects.using("replica").exists()  # the replica really had nothing
