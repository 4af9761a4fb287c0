"""Sessions (ASVS V7) and one-time codes (V6.5.1): a new session at sign-in, none after sign-out or when the
account is disabled, and a TOTP code that works once."""

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from portal.members.models import Role
from tests import factories
from tests.logins import login, staff_client

pytestmark = pytest.mark.django_db


def test_signing_in_issues_a_new_session_key(orgs):
    member = factories.member(organisation=orgs["unit"])
    client = APIClient()
    session = client.session
    session["before"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    login(member.user, client=client)
    assert client.session.session_key != session.session_key


def test_signing_out_ends_the_session_for_good(orgs):
    member = factories.member(organisation=orgs["unit"])
    client = login(member.user)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/api/v1/me/").status_code == 200
    client.post(reverse("account_logout"))
    replay = APIClient()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie  # the "back button": the old cookie again
    assert replay.get("/api/v1/me/").status_code in (401, 403)


def test_disabling_an_account_ends_its_sessions(orgs):
    staff = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    client = staff_client(staff)
    assert client.get("/console/").status_code == 200
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    response = client.get("/console/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.get("/api/v1/staff/members/").status_code in (401, 403)


def test_a_totp_code_works_only_once(orgs):
    import time_machine

    from portal.members.management.commands.demo_totp import totp_now

    staff = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    with time_machine.travel("2026-03-02 09:00:05 +0800", tick=False):  # one 30 s period for the whole test
        code = totp_now(factories.TOTP_SECRET)
        results = []
        for _ in range(2):
            client = APIClient()
            step = client.post(reverse("account_login"), {"login": staff.email, "password": factories.PASSWORD})
            assert step["Location"].startswith(reverse("mfa_authenticate"))
            results.append(client.post(step["Location"], {"code": code}).status_code)
    assert results == [302, 200]  # the second use of the same code is refused (the form comes back)


def test_changing_the_password_ends_the_other_sessions(orgs):
    member = factories.member(organisation=orgs["unit"])
    here, elsewhere = login(member.user), login(member.user)
    response = here.post(reverse("account_change_password"), {
        "oldpassword": factories.PASSWORD, "password1": "A-new-long-pass-2026", "password2": "A-new-long-pass-2026"})
    assert response.status_code == 302, response.content[:300]
    assert here.get("/api/v1/me/").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/api/v1/me/").status_code in (401, 403)  # the other one is out
