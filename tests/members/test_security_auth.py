"""Issue 7, holes 1-3: a password alone never opens /admin/, the console or the staff API, the admin never
shows second-factor secrets, and a staff account's first TOTP needs a code from its email.

Everything goes through the real allauth views (HTML and headless) and the real admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.usersessions.models import UserSession
from django.core import mail
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from portal.members.demo import DEMO_TOTP_SECRET
from portal.members.management.commands.demo_totp import totp_now
from portal.members.models import Role, User
from portal.members.services import role_grant
from tests import factories

APP_LOGIN = "/_allauth/app/v1/auth/login"
APP_TOTP = "/_allauth/app/v1/account/authenticators/totp"
SECRET_SESSION_KEY = "mfa.totp.secret"  # allauth keeps the secret being enrolled here


def _superuser(*, totp: bool = True) -> User:
    user = User.objects.create_superuser(email="root@example.com", password=factories.PASSWORD)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if totp:
        TOTP.activate(user, factories.TOTP_SECRET)
    return user


def _login_with_totp(client: Client, email: str) -> None:
    """allauth's HTML sign-in: password, then the authenticator code."""
    response = client.post("/accounts/login/", {"login": email, "password": factories.PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/authenticate/")
    response = client.post("/accounts/2fa/authenticate/", {"code": factories.totp_code()})
    assert response.status_code == 302, response.content.decode()[:500]


def _app_token(email: str) -> str:
    response = APIClient().post(APP_LOGIN, {"email": email, "password": factories.PASSWORD}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["meta"]["session_token"]


# --- hole 1: /admin/ needs a sign-in that passed MFA -----------------------------------------------------

@pytest.mark.django_db
def test_admin_login_with_the_password_alone_does_not_open_the_admin():
    _superuser()
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "root@example.com",
                                                           "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_admin_opens_after_allauth_sign_in_with_totp():
    _superuser()
    client = Client()
    login_page = client.get("/admin/login/?next=/admin/members/user/")
    assert login_page["Location"] == "/accounts/login/?next=%2Fadmin%2Fmembers%2Fuser%2F"
    _login_with_totp(client, "root@example.com")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/members/user/").status_code == 200


@pytest.mark.django_db
def test_a_superuser_session_that_skipped_totp_is_sent_to_enter_a_code():
    user = _superuser()
    client = factories.sign_in(Client(), user, mfa=False)  # e.g. signed in before TOTP was enrolled
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2F"
    response = client.post("/accounts/2fa/reauthenticate/?next=%2Fadmin%2F", {"code": factories.totp_code()})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_superuser_without_totp_is_sent_to_enrol_with_an_emailed_code():
    user = _superuser(totp=False)
    client = factories.sign_in(Client(), user, mfa=False)
    response = client.get("/admin/", follow=True)
    assert [url for url, _status in response.redirect_chain][-2:] == ["/accounts/2fa/totp/activate/",
                                                                       "/accounts/2fa/totp/confirm/"]


@pytest.mark.django_db
def test_console_refuses_a_session_that_skipped_totp_until_a_code_is_entered(orgs):
    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    client = factories.sign_in(Client(), officer, mfa=False)
    response = client.get("/console/members/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fconsole%2Fmembers%2F"
    response = client.post(response["Location"], {"code": factories.totp_code()})
    assert response["Location"] == "/console/members/"
    assert client.get("/console/members/").status_code == 200


@pytest.mark.django_db
def test_staff_api_refuses_a_browser_session_that_skipped_totp(orgs):
    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    assert factories.sign_in(APIClient(), officer, mfa=False).get("/api/v1/staff/members/").status_code == 403
    assert factories.sign_in(APIClient(), officer, mfa=True).get("/api/v1/staff/members/").status_code == 200


@pytest.mark.django_db
def test_an_app_token_issued_before_staff_powers_needs_the_totp_step(orgs):
    """A member's token stays a member's token: the grant and TOTP arriving later do not upgrade it."""
    member = factories.member(organisation=orgs["unit"], email="rising@example.com")
    token = _app_token("rising@example.com")
    role_grant(user=member.user, organisation=orgs["city"], role=Role.UNION_OFFICER)
    TOTP.activate(member.user, factories.TOTP_SECRET)
    client = APIClient()
    headers = {"X-Session-Token": token}
    assert client.get("/api/v1/staff/members/", headers=headers).status_code == 403
    step = client.post("/_allauth/app/v1/auth/2fa/reauthenticate", {"code": factories.totp_code()},
                       format="json", headers=headers)
    assert step.status_code == 200, step.json()
    assert client.get("/api/v1/staff/members/", headers=headers).status_code == 200


# --- hole 2: the admin shows who has which factor, never the factor --------------------------------------

@pytest.mark.django_db
def test_admin_never_shows_authenticator_secrets_or_session_keys(orgs):
    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, email="officer@example.com")
    recovery = RecoveryCodes.activate(officer).instance
    officer_session = Client()
    _login_with_totp(officer_session, "officer@example.com")
    session_key = UserSession.objects.get(user=officer).session_key
    cache.clear()  # the officer's TOTP code may be reused by the superuser in the same 30 s window
    admin = Client()
    _superuser()
    _login_with_totp(admin, "root@example.com")

    seeds = [DEMO_TOTP_SECRET, recovery.data["seed"], session_key]
    pages = ["/admin/mfa/authenticator/", "/admin/usersessions/usersession/"]
    pages += [f"/admin/mfa/authenticator/{a.pk}/change/" for a in Authenticator.objects.all()]
    pages += [f"/admin/usersessions/usersession/{s.pk}/change/" for s in UserSession.objects.all()]
    for url in pages:
        response = admin.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "officer@example.com" in body or "root@example.com" in body
        for seed in seeds:
            assert seed not in body, (url, seed)
    authenticator = Authenticator.objects.filter(user=officer).first()
    assert admin.get("/admin/mfa/authenticator/add/").status_code == 403
    assert admin.post(f"/admin/mfa/authenticator/{authenticator.pk}/change/", {"type": "totp"}).status_code == 403
    assert admin.post(f"/admin/mfa/authenticator/{authenticator.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Authenticator.objects.filter(pk=authenticator.pk).exists()


# --- hole 3: a staff account's first TOTP needs the emailed code ----------------------------------------

def _code_from_mail(to: str) -> str:
    message = [m for m in mail.outbox if to in m.to][-1]
    return re.search(r"(?<!\d)(\d{8})(?!\d)", message.body).group(1)  # digits run into CJK text: no \b


def _password_login(client: Client, email: str) -> None:
    response = client.post("/accounts/login/", {"login": email, "password": factories.PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_password_alone_cannot_enrol_a_totp_on_a_staff_account(orgs):
    """The attacker knows the password of a staff member who has not enrolled TOTP yet, and does everything
    allauth's pages let a password do: sign in, reauthenticate, open the activation page, post a code."""
    victim = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, mfa=False, email="new@example.com")
    attacker = Client()
    _password_login(attacker, "new@example.com")
    token = _app_token("new@example.com")
    response = attacker.get("/accounts/2fa/totp/activate/")
    if response["Location"].startswith("/accounts/reauthenticate/"):
        attacker.post(response["Location"], {"password": factories.PASSWORD})
        response = attacker.get("/accounts/2fa/totp/activate/")
    secret = attacker.session.get(SECRET_SESSION_KEY) or "ORSXG5A="  # theirs, or one of their choosing
    session = attacker.session
    session[SECRET_SESSION_KEY] = secret
    session.save()
    attacker.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret)})

    assert not Authenticator.objects.filter(user=victim).exists()
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/confirm/"
    assert attacker.get("/console/")["Location"] == "/accounts/2fa/totp/activate/"
    assert APIClient().get("/api/v1/staff/members/", headers={"X-Session-Token": token}).status_code == 403


@pytest.mark.django_db
def test_the_emailed_code_goes_to_the_account_and_wrong_guesses_burn_it(orgs):
    factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, mfa=False, email="new@example.com")
    attacker = Client()
    _password_login(attacker, "new@example.com")
    attacker.post("/accounts/2fa/totp/confirm/", {"send": "1"})
    assert mail.outbox[-1].to == ["new@example.com"]
    assert _code_from_mail("new@example.com") not in attacker.get("/accounts/2fa/totp/confirm/").content.decode()
    for guess in ["00000000", "12345678", "99999999", "11111111", "22222222"]:
        attacker.post("/accounts/2fa/totp/confirm/", {"code": guess})
    # Five wrong guesses burn the code: even the right one no longer works.
    attacker.post("/accounts/2fa/totp/confirm/", {"code": _code_from_mail("new@example.com")})
    assert attacker.get("/accounts/2fa/totp/activate/")["Location"] == "/accounts/2fa/totp/confirm/"


@pytest.mark.django_db
def test_activation_form_itself_refuses_without_the_emailed_code(orgs, rf):
    """The form allauth uses (MFA_FORMS), whichever view reaches it."""
    from allauth.core import context
    from django.contrib.sessions.backends.cache import SessionStore

    from portal.members.forms import ActivateTOTPForm

    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, mfa=False)
    request = rf.post("/")
    request.session, request.user = SessionStore(), officer
    with context.request_context(request):
        request.session[SECRET_SESSION_KEY] = "ORSXG5A="
        form = ActivateTOTPForm(data={"code": totp_now("ORSXG5A=")}, user=officer)
        assert not form.is_valid()
        assert [e["code"] for e in form.errors.get_json_data()["__all__"]] == ["enrolment_code_required"]


@pytest.mark.django_db(transaction=True)
def test_a_new_staff_member_enrols_with_the_emailed_code_and_reaches_the_console(orgs):
    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, mfa=False, email="new@example.com")
    client = Client()
    _password_login(client, "new@example.com")
    assert client.get("/console/")["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/confirm/")
    assert "n•••@example.com" in page.content.decode()
    client.post("/accounts/2fa/totp/confirm/", {"send": "1"})
    code = _code_from_mail("new@example.com")
    wrong = client.post("/accounts/2fa/totp/confirm/", {"code": "00000000"})
    assert wrong.status_code == 200 and "field__error" in wrong.content.decode()
    assert client.post("/accounts/2fa/totp/confirm/", {"code": code})["Location"] == "/accounts/2fa/totp/activate/"

    reauth = client.get("/accounts/2fa/totp/activate/")  # allauth asks for the password again first
    assert reauth["Location"] == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    assert client.post(reauth["Location"], {"password": factories.PASSWORD}).status_code == 302
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response.status_code == 302, response.content.decode()[:800]
    assert Authenticator.objects.filter(user=officer, type="totp").exists()
    # Enrolling typed a code from the new factor: this session passed MFA and the clearance is spent.
    assert client.get("/console/members/").status_code == 200
    assert "portal_mfa_enrolment" not in client.session


@pytest.mark.django_db
def test_the_emailed_code_expires(orgs):
    factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, mfa=False, email="new@example.com")
    client = Client()
    _password_login(client, "new@example.com")
    client.post("/accounts/2fa/totp/confirm/", {"send": "1"})
    code = _code_from_mail("new@example.com")
    with time_machine.travel(timedelta(minutes=11)):  # ASVS 6.5.5: out-of-band codes live at most 10 minutes
        response = client.post("/accounts/2fa/totp/confirm/", {"code": code})
    assert response.status_code == 200
    assert client.get("/accounts/2fa/totp/activate/")["Location"] == "/accounts/2fa/totp/confirm/"


@pytest.mark.django_db
def test_the_code_works_only_in_the_browser_that_asked_for_it(orgs):
    factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, mfa=False, email="new@example.com")
    asked, other = Client(), Client()
    _password_login(asked, "new@example.com")
    _password_login(other, "new@example.com")
    asked.post("/accounts/2fa/totp/confirm/", {"send": "1"})
    other.post("/accounts/2fa/totp/confirm/", {"code": _code_from_mail("new@example.com")})
    assert other.get("/accounts/2fa/totp/activate/")["Location"] == "/accounts/2fa/totp/confirm/"
    asked.post("/accounts/2fa/totp/confirm/", {"code": _code_from_mail("new@example.com")})
    assert asked.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")


@pytest.mark.django_db
def test_codes_are_not_sent_more_than_once_a_minute(orgs):
    factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, mfa=False, email="new@example.com")
    client = Client()
    _password_login(client, "new@example.com")
    client.post("/accounts/2fa/totp/confirm/", {"send": "1"})
    client.post("/accounts/2fa/totp/confirm/", {"send": "1"})
    assert len([m for m in mail.outbox if "new@example.com" in m.to]) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("client_kind", ["app", "browser"])
def test_headless_api_refuses_a_first_totp_for_staff(orgs, client_kind):
    victim = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER, mfa=False, email="new@example.com")
    client = APIClient()
    if client_kind == "app":
        headers = {"X-Session-Token": _app_token("new@example.com")}
    else:
        headers = {}
        login = client.post("/_allauth/browser/v1/auth/login", {"email": "new@example.com",
                                                                 "password": factories.PASSWORD}, format="json")
        assert login.status_code == 200, login.json()
    url = f"/_allauth/{client_kind}/v1/account/authenticators/totp"
    shown = client.get(url, headers=headers)
    assert shown.status_code == 409 and "secret" not in str(shown.json())
    attempt = client.post(url, {"code": totp_now(DEMO_TOTP_SECRET)}, format="json", headers=headers)
    assert attempt.status_code == 409
    assert attempt.json()["errors"][0]["code"] == "staff_enrolment_on_website"
    assert not Authenticator.objects.filter(user=victim).exists()


@pytest.mark.django_db
def test_members_still_enrol_totp_through_the_app(orgs):
    member = factories.member(organisation=orgs["unit"], email="careful@example.com")
    client, headers = APIClient(), {"X-Session-Token": _app_token("careful@example.com")}
    client.post("/_allauth/app/v1/auth/reauthenticate", {"password": factories.PASSWORD}, format="json",
                headers=headers)
    shown = client.get(APP_TOTP, headers=headers)
    assert shown.status_code == 404
    secret = shown.json()["meta"]["secret"]
    activated = client.post(APP_TOTP, {"code": totp_now(secret)}, format="json", headers=headers)
    assert activated.status_code == 200, activated.json()
    assert Authenticator.objects.filter(user=member.user, type="totp").exists()


@pytest.mark.django_db(transaction=True)
def test_a_createsuperuser_account_reaches_the_admin_through_email_code_and_totp():
    """The documented first deployment: `manage createsuperuser`, then allauth's sign-in."""
    User.objects.create_superuser(email="first@example.com", password=factories.PASSWORD)
    client = Client()
    response = client.post("/accounts/login/?next=/admin/", {"login": "first@example.com",
                                                             "password": factories.PASSWORD})
    assert response["Location"] == "/accounts/confirm-email/"
    verify = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    client.post("/accounts/confirm-email/", {"code": verify})
    assert client.get("/admin/", follow=True).redirect_chain[-1][0] == "/accounts/2fa/totp/confirm/"
    client.post("/accounts/2fa/totp/confirm/", {"send": "1"})
    client.post("/accounts/2fa/totp/confirm/", {"code": _code_from_mail("first@example.com")})
    reauth = client.get("/accounts/2fa/totp/activate/")
    if reauth.status_code == 302:
        client.post(reauth["Location"], {"password": factories.PASSWORD})
    client.get("/accounts/2fa/totp/activate/")
    client.post("/accounts/2fa/totp/activate/", {"code": totp_now(client.session[SECRET_SESSION_KEY])})
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_totp_enrolled_as_a_member_does_not_carry_over_to_staff_powers(orgs):
    """A member enrols TOTP with the password alone; whoever knew the password may hold that authenticator.
    The first role grant removes it, tells the member, and the console asks for a fresh, email-guarded one."""
    member = factories.member(organisation=orgs["unit"], email="promoted@example.com")
    TOTP.activate(member.user, factories.TOTP_SECRET)
    client = factories.sign_in(Client(), member.user, mfa=True)

    role_grant(user=member.user, organisation=orgs["city"], role=Role.UNION_OFFICER)

    assert not Authenticator.objects.filter(user=member.user).exists()
    assert member.user.messages.filter(kind="staff_totp_reset").exists()
    response = client.get("/console/members/")
    assert response.status_code == 302 and "/console/members/" not in response["Location"]
    # A second role for the same person keeps the authenticator enrolled under the staff rule.
    TOTP.activate(member.user, factories.TOTP_SECRET)
    role_grant(user=member.user, organisation=orgs["city"], role=Role.STATISTICIAN)
    assert Authenticator.objects.filter(user=member.user, type="totp").exists()
