"""Every API error has the DESIGN.md section 5 shape: type, title, detail, errors."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from portal.api import exception_handler
from portal.errors import Conflict
from portal.members.models import Role
from tests import factories
from tests.conftest import staff_client

KEYS = {"type", "title", "detail", "errors"}


def _shape(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == KEYS
    assert body["detail"]
    return body


@pytest.mark.django_db
def test_unauthenticated_is_401(api):
    body = _shape(api.get("/api/v1/me/"), 401)
    assert body["type"] == "not_authenticated"


@pytest.mark.django_db
def test_field_errors_are_listed_per_field(member_api):
    body = _shape(member_api.patch("/api/v1/me/", {"phone": "123", "language": "xx"}, format="json"), 400)
    assert body["type"] == "invalid"
    assert set(body["errors"]) == {"language"}  # serializer errors first; the service never ran


@pytest.mark.django_db
def test_service_validation_error_is_a_field_error(member_api):
    body = _shape(member_api.patch("/api/v1/me/", {"phone": "123"}, format="json"), 400)
    assert list(body["errors"]) == ["phone"]


@pytest.mark.django_db
def test_forbidden_is_403(member_api):
    assert _shape(member_api.get("/api/v1/staff/members/"), 403)["type"] == "permission_denied"


@pytest.mark.django_db
def test_unknown_object_is_404(orgs):
    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    assert _shape(staff_client(officer).get("/api/v1/staff/members/999999/"), 404)["type"] == "not_found"


@pytest.mark.django_db
def test_unknown_api_url_is_404_json(member_api):
    assert _shape(member_api.get("/api/v1/no-such-thing/"), 404)["type"] == "not_found"


@pytest.mark.django_db
def test_method_not_allowed_is_405(member_api):
    assert _shape(member_api.delete("/api/v1/me/"), 405)["type"] == "method_not_allowed"


@pytest.mark.django_db
def test_domain_conflict_is_409(orgs):
    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    member = factories.member(organisation=orgs["unit"])  # already verified
    body = _shape(staff_client(officer).post(f"/api/v1/staff/members/{member.pk}/verify/"), 409)
    assert body["type"] == "already_verified"


@pytest.mark.django_db
def test_throttled_is_429(orgs, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    # DRF reads the rates once at import; lower them for this test only.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "3/min"})
    client = APIClient()
    statuses = [client.get("/api/v1/organisations/grassroots/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    body = _shape(client.get("/api/v1/organisations/grassroots/"), 429)
    assert body["type"] == "throttled"


def test_django_validation_error_without_a_request():
    response = exception_handler(ValidationError({"seats": ["Too many."]}), {})
    assert response.status_code == 400
    assert response.data["errors"] == {"seats": ["Too many."]}


def test_domain_error_carries_field_errors():
    response = exception_handler(Conflict("Full.", errors={"session": ["Full."]}, code="session_full"), {})
    assert response.status_code == 409
    assert response.data == {"type": "session_full", "title": str(Conflict.title), "detail": "Full.",
                              "errors": {"session": ["Full."]}}


@pytest.mark.django_db
def test_errors_follow_the_requested_language(api):
    zh = api.get("/api/v1/me/", headers={"Accept-Language": "zh-hans"}).json()
    en = api.get("/api/v1/me/", headers={"Accept-Language": "en"}).json()
    assert zh["detail"] != en["detail"]
    assert en["detail"] == "Authentication credentials were not provided."
