import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from portal.notifications.sms import LocmemSmsBackend

from . import factories

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... (as .ci/run does)")
    skip_worker = pytest.mark.skip(reason="needs a broker: set REDIS_URL and CELERY_BROKER_URL (as .ci/run does)")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
        if "celery_worker" in item.keywords and not os.environ.get("CELERY_BROKER_URL"):
            item.add_marker(skip_worker)


@pytest.fixture(autouse=True)
def _clean_state():
    cache.clear()  # allauth rate limits and DRF throttles live in the cache
    LocmemSmsBackend.outbox.clear()
    yield


@pytest.fixture
def local_noon(time_machine):
    """Freeze the clock at noon in Asia/Shanghai on a Wednesday (in the past, so logins made at the real time
    stay valid): "today" tests never straddle midnight and "this week" never ends on a Sunday."""
    moment = datetime(2025, 6, 11, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def orgs(db):
    return factories.org_tree()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def member(orgs):
    return factories.member(organisation=orgs["unit"])


@pytest.fixture
def member_api(member):
    client = APIClient()
    client.force_authenticate(member.user)
    return client


def staff_client(user) -> APIClient:
    """A DRF client signed in as `user` through the password and (when enrolled) the TOTP step."""
    return factories.sign_in(APIClient(), user)
