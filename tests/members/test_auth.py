"""Accounts through allauth headless (the app API) and DRF accepting its session token."""

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from portal.members.models import Member, User, VerificationStatus
from tests import factories

SIGNUP = "/_allauth/app/v1/auth/signup"
LOGIN = "/_allauth/app/v1/auth/login"
VERIFY_EMAIL = "/_allauth/app/v1/auth/email/verify"


def _signup_payload(orgs, **overrides):
    payload = {"email": "newbie@example.com", "phone": "139 1234 5678", "password": "Strong-pass-2026",
               "real_name": "赵新人", "organisation": orgs["unit"].pk, "id_number": factories.VALID_ID_NUMBERS[2]}
    payload.update(overrides)
    return payload


@pytest.mark.django_db
def test_signup_creates_a_pending_member_and_verifies_email_by_code(orgs):
    client = APIClient()
    response = client.post(SIGNUP, _signup_payload(orgs), format="json")
    assert response.status_code == 401  # authenticated only after the email code
    token = response.json()["meta"]["session_token"]
    flows = {f["id"]: f for f in response.json()["data"]["flows"]}
    assert flows["verify_email"]["is_pending"]

    user = User.objects.get(email="newbie@example.com")
    assert user.phone == "+8613912345678"
    member = Member.objects.get(user=user)
    assert member.verification_status == VerificationStatus.PENDING
    assert member.organisation == orgs["unit"]
    assert member.id_number_last4 == factories.VALID_ID_NUMBERS[2][-4:]

    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    verified = client.post(VERIFY_EMAIL, {"key": code}, format="json", headers={"X-Session-Token": token})
    assert verified.status_code == 200
    me = client.get("/api/v1/me/", headers={"X-Session-Token": verified.json()["meta"]["session_token"]})
    assert me.status_code == 200
    assert me.json()["verification_status"] == "pending"


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [
    ("email", "not-an-email"),
    ("phone", "12345"),
    ("id_number", "110101199003074478"),
    ("organisation", 999999),
])
def test_signup_with_bad_input_names_the_field_and_saves_nothing(orgs, field, value):
    response = APIClient().post(SIGNUP, _signup_payload(orgs, **{field: value}), format="json")
    assert response.status_code == 400
    assert field in {e["param"] for e in response.json()["errors"]}
    assert not User.objects.exists() and not Member.objects.exists()


@pytest.mark.django_db
def test_signup_must_choose_a_grassroots_union(orgs):
    response = APIClient().post(SIGNUP, _signup_payload(orgs, organisation=orgs["city"].pk), format="json")
    assert response.status_code == 400
    assert "organisation" in {e["param"] for e in response.json()["errors"]}
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("credentials", [
    {"email": "login@example.com"},
    {"phone": "+8613700001111"},
])
def test_headless_login_token_reads_me(orgs, credentials):
    factories.member(organisation=orgs["unit"], email="login@example.com", phone="+8613700001111",
                     real_name="登录者")
    client = APIClient()
    response = client.post(LOGIN, {**credentials, "password": factories.PASSWORD}, format="json")
    assert response.status_code == 200, response.json()
    token = response.json()["meta"]["session_token"]
    me = client.get("/api/v1/me/", headers={"X-Session-Token": token})
    assert me.status_code == 200
    assert me.json()["real_name"] == "登录者"
    assert client.get("/api/v1/me/", headers={"X-Session-Token": "wrong"}).status_code == 401


@pytest.mark.django_db
def test_wrong_password_is_refused_and_rate_limited(orgs):
    factories.member(organisation=orgs["unit"], email="victim@example.com")
    client = APIClient()

    def attempt(password):
        response = client.post(LOGIN, {"email": "victim@example.com", "password": password}, format="json")
        return response.status_code, {e.get("code") for e in response.json().get("errors", [])}

    first = attempt("guess-0")
    assert first == (400, {"email_password_mismatch"})
    codes = [attempt(f"guess-{i}")[1] for i in range(1, 7)]
    assert {"too_many_login_attempts"} in codes
    # The right password is refused too while the limit lasts: 429, not a form error.
    assert attempt(factories.PASSWORD) == (429, {"too_many_login_attempts"})


@pytest.mark.django_db
def test_staff_login_requires_the_totp_code(orgs):
    from portal.members.models import Role

    factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, email="officer@example.com")
    client = APIClient()
    response = client.post(LOGIN, {"email": "officer@example.com", "password": factories.PASSWORD}, format="json")
    assert response.status_code == 401
    assert any(f["id"] == "mfa_authenticate" and f.get("is_pending") for f in response.json()["data"]["flows"])
    token = response.json()["meta"]["session_token"]
    bad = client.post("/_allauth/app/v1/auth/2fa/authenticate", {"code": "000000"}, format="json",
                      headers={"X-Session-Token": token})
    assert bad.status_code == 400
    ok = client.post("/_allauth/app/v1/auth/2fa/authenticate", {"code": factories.totp_code()},
                     format="json", headers={"X-Session-Token": token})
    assert ok.status_code == 200
    staff_list = client.get("/api/v1/staff/members/", headers={"X-Session-Token": ok.json()["meta"]["session_token"]})
    assert staff_list.status_code == 200


@pytest.mark.django_db
def test_signup_requires_a_phone(orgs):
    response = APIClient().post(SIGNUP, _signup_payload(orgs, phone=""), format="json")
    assert response.status_code == 400
    assert "phone" in {e["param"] for e in response.json()["errors"]}
    assert not User.objects.exists()


@pytest.mark.django_db
def test_password_reset_by_code(orgs):
    factories.member(organisation=orgs["unit"], email="forgot@example.com")
    client = APIClient()
    requested = client.post("/_allauth/app/v1/auth/password/request", {"email": "forgot@example.com"}, format="json")
    assert requested.status_code == 401
    token = requested.json()["meta"]["session_token"]
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    reset = client.post("/_allauth/app/v1/auth/password/reset", {"key": code, "password": "Brand-new-pass-77"},
                        format="json", headers={"X-Session-Token": token})
    assert reset.status_code in (200, 401), reset.json()
    old = client.post(LOGIN, {"email": "forgot@example.com", "password": factories.PASSWORD}, format="json")
    assert old.status_code == 400
    new = client.post(LOGIN, {"email": "forgot@example.com", "password": "Brand-new-pass-77"}, format="json")
    assert new.status_code == 200
