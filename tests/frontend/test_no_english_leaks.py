"""Chinese pages without English leaks: every member and console page (and the verification mail and
form errors) rendered in zh-hans has no English word outside the glossary's whitelist and no ASCII
punctuation in a Chinese sentence."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from portal.members.management.commands.demo_totp import totp_now

from .leaks import html_problems
from .pages import ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, NOT_PAGES, PAGES, STAFF, route_names, seed_demo

pytestmark = pytest.mark.django_db


def login(account: str) -> Client:
    """A browser-like client signed in through allauth (password, then the TOTP code for staff)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    email = ACCOUNTS[account]
    if email is None:
        return client
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    if account in STAFF:
        response = client.post(reverse("mfa_authenticate"), {"code": totp_now(DEMO_TOTP_SECRET)})
        assert response.status_code == 302
    return client


def test_every_frontend_route_is_listed():
    listed = {p.name for p in PAGES} | set(NOT_PAGES)
    assert route_names() - listed == set(), "add the new page to tests/frontend/pages.py"


@pytest.mark.parametrize("accounts", [("anonymous", "member"), ("palace", "officer", "mutualaid"), ("stats",)],
                         ids=["member", "console", "statistics"])
def test_pages_in_chinese_have_no_english(accounts):
    ids = seed_demo()
    found = {}
    for account in accounts:
        client = login(account)
        for page in [p for p in PAGES if p.account == account]:
            path = page.path(ids)
            response = client.get(path)
            if response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate")):
                client.post(response["Location"], {"password": DEMO_PASSWORD})
                response = client.get(path)
            assert response.status_code == 200, (account, path, response.status_code)
            assert response["Content-Language"] == "zh-hans"
            problems = html_problems(response.content.decode())
            if problems:
                found[f"{account} {path}"] = problems
    assert not found, "\n".join(f"{where}: {p}" for where, ps in found.items() for p in ps)


def test_error_pages_in_chinese_have_no_english():
    seed_demo()
    found: dict = {}
    missing = login("anonymous").get("/no-such-page/")
    assert missing.status_code == 404
    _check(found, "404", missing.content.decode())
    forbidden = login("member").get(reverse("frontend:console:today"))
    assert forbidden.status_code == 403
    _check(found, "403", forbidden.content.decode())
    assert not found, "\n".join(f"{where}: {p}" for where, ps in found.items() for p in ps)


def _check(found: dict, where: str, html: str, echoed: frozenset[str] = frozenset()) -> None:
    problems = html_problems(html, echoed)
    if problems:
        found[where] = problems


def test_form_errors_and_results_in_chinese_have_no_english():
    """Invalid input answered in Chinese: password validators, a wrong TOTP code, a bad RRULE, check-in results."""
    from bookings.models import Booking, Session
    from portal.members.models import Organisation

    ids = seed_demo()
    found: dict = {}
    anonymous = login("anonymous")
    unit = Organisation.objects.filter(level="grassroots").order_by("pk").first()
    signup = anonymous.post(reverse("account_signup"), {
        "real_name": "赵测试", "organisation": unit.pk, "id_number": "", "email": "short@example.com",
        "phone": "13912340000", "password1": "1234", "password2": "1234"})
    assert signup.status_code == 200
    html = signup.content.decode()
    assert "密码太短，至少需要 8 个字符。" in html  # Django's own Chinese for the validators, not the English msgid
    _check(found, "signup, short numeric password", html)
    bad_login = anonymous.post(reverse("account_login"), {"login": "member@example.com", "password": "wrong-pass"})
    _check(found, "login, wrong password", bad_login.content.decode())
    assert "邮箱或手机号" in bad_login.content.decode()  # the login field's label

    staff = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    staff.post(reverse("account_login"), {"login": ACCOUNTS["palace"], "password": DEMO_PASSWORD})
    wrong = staff.post(reverse("mfa_authenticate"), {"code": "000000" if totp_now() != "000000" else "111111"})
    assert "验证码错误，请重试。" in wrong.content.decode()
    _check(found, "TOTP, wrong code", wrong.content.decode())
    staff.post(reverse("mfa_authenticate"), {"code": totp_now(DEMO_TOTP_SECRET)})
    schedule = staff.post(reverse("frontend:console:activity_schedule", args=[ids["activity"]]), {
        "first_start": "2030-01-07T19:00", "duration_minutes": "90", "rrule": "FREQ=SOMETIMES", "preview": "1"})
    html = schedule.content.decode()
    assert "“FREQ=SOMETIMES”的取值无效。" in html  # not dateutil's "invalid 'FREQ': SOMETIMES"
    _check(found, "schedule, bad RRULE", html, echoed=frozenset({"SOMETIMES"}))
    booking = Booking.objects.get(pk=ids["booking"])
    soon = timezone.now() + timedelta(minutes=10)  # check-in opens on the session's day
    Session.objects.filter(pk=booking.session_id).update(start=soon, end=soon + timedelta(hours=1))
    checked_in = staff.post(reverse("frontend:console:checkin"), {"code": booking.ticket_code}).content.decode()
    assert f"已签到：{booking.member.real_name}" in checked_in
    _check(found, "check-in", checked_in)
    _check(found, "check-in, unknown code",
           staff.post(reverse("frontend:console:checkin"), {"code": "no-such-ticket"}).content.decode())

    member = login("member")
    change = member.post(reverse("account_change_password"), {
        "oldpassword": DEMO_PASSWORD, "password1": "abc", "password2": "abc"})
    _check(found, "password change, too short", change.content.decode())
    assert not found, "\n".join(f"{where}: {p}" for where, ps in found.items() for p in ps)


def _mail_problems(body: str) -> list[str]:
    """Leaks in a plain-text mail, leaving out the line that holds only the code (a code, not language)."""
    lines = [line for line in body.splitlines() if line.strip()]
    text = [line for line in lines if not re.fullmatch(r"[A-Z0-9]{3,8}(-[A-Z0-9]{3,8})?", line.strip())]
    assert len(text) == len(lines) - 1, body  # exactly one code line
    return html_problems("".join(f"<p>{escape(line)}</p>" for line in text))


def test_verification_mail_uses_the_site_name_in_chinese(mailoutbox):
    from portal.members.models import Organisation

    seed_demo()
    unit = Organisation.objects.filter(level="grassroots").order_by("pk").first()
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(reverse("account_signup"), {
        "real_name": "赵测试", "organisation": unit.pk, "id_number": "", "email": "zhao@example.com",
        "phone": "13912340000", "password1": "a-long-pass-2026", "password2": "a-long-pass-2026"})
    assert response.status_code == 302
    mail = mailoutbox[-1]
    assert mail.subject == "【工会服务平台】请验证您的邮箱"  # not "[testserver] 请确认您的Email地址"
    assert mail.body.startswith("您好！这里是工会服务平台。")  # not "来自testserver的 Hello!"
    assert "testserver" not in mail.body
    assert _mail_problems(mail.body) == []


def test_password_reset_mail_in_chinese(mailoutbox):
    seed_demo()
    Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(reverse("account_reset_password"), {"email": "member@example.com"})
    mail = mailoutbox[-1]
    assert mail.subject == "【工会服务平台】重置密码验证码"
    assert "testserver" not in mail.body
    assert _mail_problems(mail.body) == []
