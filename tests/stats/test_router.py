"""Statistics reads go to the replica when one is configured; capacity, money and exports never do."""

from bookings.models import Session
from portal.payments.models import Payment
from portal.stats.models import DailyRollup, Export, ServiceRecord, Target
from portal.stats.router import StatsReplicaRouter


def test_ledger_and_rollups_read_from_the_replica_when_it_is_configured(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    router = StatsReplicaRouter()
    assert router.db_for_read(ServiceRecord) == "replica"
    assert router.db_for_read(DailyRollup) == "replica"
    for model in (Session, Payment, Export, Target):
        assert router.db_for_read(model) is None
    assert router.db_for_write(ServiceRecord) is None
    assert router.allow_migrate("replica", "stats") is False and router.allow_migrate("default", "stats") is True


def test_without_a_replica_everything_reads_the_primary(settings):
    settings.DATABASES = {k: v for k, v in settings.DATABASES.items() if k != "replica"}
    assert StatsReplicaRouter().db_for_read(ServiceRecord) is None
