import pytest

from portal.members.models import Role
from tests import factories
from tests.conftest import staff_client

from . import builders


@pytest.fixture
def facility(orgs):
    return builders.palace(orgs["city"])


@pytest.fixture
def free_activity(facility):
    return builders.activity(facility, venue=builders.venue(facility))


@pytest.fixture
def paid_activity(facility):
    return builders.activity(facility, title="油画进阶班", price_fen=3000)


@pytest.fixture
def session(free_activity):
    return builders.session(free_activity, capacity=3)


@pytest.fixture
def manager(orgs):
    return factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)


@pytest.fixture
def manager_api(manager):
    return staff_client(manager)


@pytest.fixture
def other_manager(orgs):
    return factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER)


@pytest.fixture
def make_member(orgs):
    def make(**fields):
        return factories.member(organisation=fields.pop("organisation", orgs["unit"]), **fields)
    return make

from .stay_fixtures import desk, desk_api, family, sanatorium, twin  # noqa: E402, F401 - the stay tests' fixtures
