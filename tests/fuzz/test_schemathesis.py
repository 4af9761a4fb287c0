"""Fuzz every operation of the OpenAPI schema (/api/schema/) with schemathesis.

The app runs in-process through Django's WSGI handler (deterministic, no port, the test's own database),
signed in the way apps sign in: allauth's headless login, and for staff the TOTP step, giving an
X-Session-Token. Staff operations (tag `staff`) run with a staff token, every other operation with a
member's. Every check schemathesis has is on (see `_config`): no 5xx, documented status codes, content types,
headers and response bodies, negative data rejected, missing auth refused, unsupported methods answered 405.

CI runs a bounded pass (FUZZ_EXAMPLES, default 4 examples per operation and generation mode, coverage
phase included, derandomized); `make fuzz` runs a long one (FUZZ_EXAMPLES=200).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from bookings.services import booking_create, stay_create
from portal.members.models import Role
from portal.members.services import role_grant
from tests import factories
from tests.bookings import builders
from tests.facilities import rooms
from tests.mutualaid.aid import active_enrolment, hospital_claim, make_scheme

LOGIN = "/_allauth/app/v1/auth/login"
TOTP = "/_allauth/app/v1/auth/2fa/authenticate"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": 20260801,
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
        # Every check on, except positive_data_acceptance: a schema cannot say which ids exist or which business
        # rules hold (an unknown venue, a capacity above the venue's), and those are 400s naming the field by
        # design. Negative data (wrong types, out-of-range values, NUL bytes) must still be rejected.
        "checks": {"enabled": True, "positive_data_acceptance": {"enabled": False}},
    })


class _InProcess:
    """Django's WSGI handler, called the way Django's own test client calls it: without the database
    connection being closed around each request (the test's transaction lives on that connection)."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()  # sends request_finished
        finally:
            for signal in (request_started, request_finished):
                signal.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", _InProcess(), config=_config())
fuzz_settings = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                HealthCheck.filter_too_much])


@pytest.fixture
def world(orgs):
    """A little of everything, so small generated ids reach real rows as well as absent ones."""
    palace = builders.palace(orgs["city"])
    venue = builders.venue(palace)
    activity = builders.activity(palace, venue=venue)
    for days in (1, 2, 3):
        builders.session(activity, capacity=5, starts_in=timedelta(days=days))
    pending = factories.member(organisation=orgs["unit2"], verified=False)
    pending.user.phone = None  # signed up by email only: the staff API shows a null phone
    pending.user.save(update_fields=["phone"])
    booker = factories.member(organisation=orgs["unit"], email="fuzz-member@example.com")
    booking_create(member=booker, session_id=activity.sessions.first().pk, seats=1, waitlist=False)
    _programme(orgs, booker)
    scheme = make_scheme(orgs["city"])
    hospital_claim(booker, active_enrolment(booker, scheme))
    sanatorium = rooms.sanatorium(orgs["city"])  # room types with open nights, and a stay (issue 10)
    room_type = rooms.room_type(sanatorium)
    today = rooms.open_nights(room_type, days=30)
    stay_create(member=booker, room_type_id=room_type.pk, check_in=today + timedelta(days=2),
                check_out=today + timedelta(days=4), rooms=1)
    return orgs


def _programme(orgs, applicant) -> None:
    """A programme with a batch, a child allocation and an application, for the programme operations."""
    from bookings.models import QuotaAllocation
    from bookings.services import applications, quotas
    from tests.bookings import programme_builders

    officer = programme_builders.runner(orgs["city"])
    programme = programme_builders.programme(orgs["city"], actor=officer)
    batch = programme_builders.batch(programme, programme_builders.sanatorium(orgs["province"]))
    root = QuotaAllocation.objects.get(batch=batch, parent=None)
    quotas.allocate(actor=officer, allocation_id=root.pk, organisation=orgs["county"], places=3)
    applications.application_submit(member=applicant, programme_id=programme.pk, batch_id=batch.pk)


def _login(email: str, *, totp: bool) -> str:
    client = APIClient()
    response = client.post(LOGIN, {"email": email, "password": factories.PASSWORD}, format="json")
    token = response.json()["meta"]["session_token"]
    if totp:
        assert response.status_code == 401, response.content  # the second factor is pending
        response = client.post(TOTP, {"code": factories.totp_code()}, format="json",
                               headers={"X-Session-Token": token})
        token = response.json()["meta"]["session_token"]
    assert response.status_code == 200, response.content
    return token


@pytest.fixture
def member_token(world):
    return _login("fuzz-member@example.com", totp=False)


@pytest.fixture
def staff_token(world):
    user = factories.staff(organisation=world["city"], role=Role.FACILITY_MANAGER, email="fuzz-staff@example.com")
    role_grant(user=user, organisation=world["city"], role=Role.UNION_OFFICER)
    role_grant(user=user, organisation=world["city"], role=Role.MUTUALAID_OFFICER)
    role_grant(user=user, organisation=world["city"], role=Role.STATISTICIAN)
    return _login("fuzz-staff@example.com", totp=True)


@schema.exclude(tag="staff").parametrize()
@fuzz_settings
def test_member_api_conforms_to_its_schema(case, member_token):
    case.call_and_validate(headers={"X-Session-Token": member_token})


@schema.include(tag="staff").parametrize()
@fuzz_settings
def test_staff_api_conforms_to_its_schema(case, staff_token):
    case.call_and_validate(headers={"X-Session-Token": staff_token})
