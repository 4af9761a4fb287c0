import pytest

from portal.members.models import Role
from tests import factories
from tests.bookings import builders
from tests.conftest import staff_client


@pytest.fixture
def palaces(orgs):
    return {
        "city": builders.palace(orgs["city"], name="甲市工人文化宫", region_code="330100"),
        "county": builders.palace(orgs["county"], name="甲县工人文化宫", region_code="330122"),
        "sibling": builders.palace(orgs["sibling"], name="乙市工人文化宫", region_code="330200"),
    }


@pytest.fixture
def manager_api(orgs):
    return staff_client(factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER))


@pytest.fixture
def stats_api(orgs):
    return staff_client(factories.staff(organisation=orgs["province"], role=Role.STATISTICIAN))
