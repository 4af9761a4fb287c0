"""Fixtures for stay tests: a sanatorium with a policy, room types with open nights, a member with dependants."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from portal.members.models import Dependant, Role
from tests import factories
from tests.conftest import staff_client
from tests.facilities import rooms as build


def days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def sanatorium(orgs):
    return build.sanatorium(orgs["city"], max_stay_nights=14, booking_horizon_days=120, cancel_deadline_hours=48,
                            free_member_nights_per_year=7, member_subsidy_percent=50, companion_subsidy_percent=0)


@pytest.fixture
def twin(sanatorium):
    room = build.room_type(sanatorium, name="标准双人间", rooms=3, beds=2, member_price_fen=20_000,
                           companion_price_fen=30_000)
    build.open_nights(room, days=100)
    return room


@pytest.fixture
def family(member):
    spouse = Dependant.objects.create(member=member, name="王芳", relation="spouse", birth_date=date(1990, 1, 1))
    child = Dependant.objects.create(member=member, name="王小明", relation="child", birth_date=date(2015, 1, 1))
    return spouse, child


@pytest.fixture
def desk(orgs):
    return factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)


@pytest.fixture
def desk_api(desk):
    return staff_client(desk)
