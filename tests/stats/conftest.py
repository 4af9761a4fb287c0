import itertools
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType

from facilities.models import Facility, FacilityKind
from portal.members.models import Organisation, Role
from portal.stats.models import ServiceRecord
from tests import factories
from tests.conftest import staff_client

_source_ids = itertools.count(1)


def records(rows: list[dict]) -> list[ServiceRecord]:
    """Ledger rows straight into the table (bulk, as the benchmark loads them); each its own source."""
    source_type = ContentType.objects.get_for_model(Organisation)
    defaults = {"kind": "activity", "channel": "online", "persons": 1}
    return ServiceRecord.objects.bulk_create([
        ServiceRecord(source_type=source_type, source_id=next(_source_ids), **{**defaults, **row}) for row in rows])


def palace(organisation, name="甲市工人文化宫", kind=FacilityKind.PALACE) -> Facility:
    return Facility.objects.create(kind=kind, organisation=organisation, name=name,
                                   region_code=organisation.region_code)


@pytest.fixture
def facilities(orgs):
    return {"city": palace(orgs["city"]), "unit": palace(orgs["unit"], "机械厂职工之家"),
            "sibling": palace(orgs["sibling"], "乙市工人文化宫"),
            "sanatorium": palace(orgs["province"], "省工人疗休养院", FacilityKind.SANATORIUM)}


@pytest.fixture
def province_stats(orgs):
    return factories.staff(organisation=orgs["province"], role=Role.STATISTICIAN)


@pytest.fixture
def city_stats(orgs):
    return factories.staff(organisation=orgs["city"], role=Role.STATISTICIAN)


@pytest.fixture
def province_api(province_stats):
    return staff_client(province_stats)


@pytest.fixture
def city_api(city_stats):
    return staff_client(city_stats)


DAY = date(2026, 3, 10)
