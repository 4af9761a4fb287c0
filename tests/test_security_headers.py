"""Security headers on pages and API answers, a CSP that needs no inline script, and HTTPS-only cookies."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from portal.members.models import Role
from tests import factories
from tests.test_deploy import production_env, python

ROOT = Path(__file__).resolve().parent.parent


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


def _common_headers(response) -> None:
    csp = _directives(response)
    assert csp["script-src"] == ["'self'"], csp  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _permissions(response) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))


@pytest.mark.django_db
def test_a_member_page_carries_the_security_headers_and_no_camera(member):
    client = Client()
    client.force_login(member.user)
    response = client.get("/bookings/")
    assert response.status_code == 200
    _common_headers(response)
    permissions = _permissions(response)
    assert permissions["camera"] == "()" and permissions["microphone"] == "()"
    assert permissions["geolocation"] == "()" and permissions["payment"] == "()"


@pytest.mark.django_db
def test_an_api_answer_carries_the_security_headers(member_api):
    response = member_api.get("/api/v1/me/")
    assert response.status_code == 200
    _common_headers(response)
    assert _permissions(response)["camera"] == "()"
    # errors too (an anonymous 401 never reaches a view)
    anonymous = APIClient().get("/api/v1/me/")
    assert anonymous.status_code == 401
    _common_headers(anonymous)


@pytest.mark.django_db
def test_only_the_check_in_page_may_use_the_camera(orgs):
    manager = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)
    client = Client()
    factories.sign_in(client, manager)
    checkin = client.get("/console/checkin/")
    assert checkin.status_code == 200
    _common_headers(checkin)
    assert _permissions(checkin)["camera"] == "(self)"
    assert _permissions(checkin)["microphone"] == "()"
    assert _permissions(client.get("/console/"))["camera"] == "()"


@pytest.mark.django_db
def test_only_the_palace_list_may_ask_for_the_location(member):
    client = Client()
    client.force_login(member.user)
    assert _permissions(client.get("/palaces/"))["geolocation"] == "(self)"
    assert _permissions(client.get("/"))["geolocation"] == "()"


@pytest.mark.django_db
def test_the_api_docs_work_without_inline_script():
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    csp = _directives(page)
    assert csp["script-src"] == ["'self'"]  # inline styles only, for Swagger UI's page
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts), scripts
    start = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(start)
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert client.get("/api/schema/").status_code == 200


# --- Templates: nothing the policy would block ----------------------------------------------------------

def _template_files() -> list[Path]:
    """Our templates, and those of the packages whose pages we serve (allauth, the admin, DRF's browsable API)."""
    import allauth
    import django.contrib.admin
    import rest_framework

    dirs = [ROOT / "frontend" / "templates", *ROOT.glob("*/templates"), *ROOT.glob("portal/*/templates")]
    dirs += [Path(m.__file__).parent / "templates" for m in (allauth, django.contrib.admin, rest_framework)]
    files = sorted({f for d in dirs for f in d.rglob("*.html")})
    assert any("frontend" in str(f) for f in files) and any("allauth" in str(f) for f in files)
    return files


SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
DATA_TYPES = re.compile(r"""type\s*=\s*["'](application/(ld\+)?json|text/template)["']""", re.I)
HANDLER = re.compile(r"""<[a-z][^>]*?\s(on[a-z]+|hx-on[:\-][\w:-]*)\s*=""", re.I | re.S)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)
STYLE_ATTR = re.compile(r"""<[a-z][^>]*?\sstyle\s*=\s*["']([^"']*)["']""", re.I | re.S)
ALLOWED_STYLE_ATTRS = {"display: none"}  # hashed into style-src-attr (allauth's hidden forms)


def test_no_template_has_an_inline_script_or_event_handler():
    offences = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for attrs, body in SCRIPT.findall(text):
            if body.strip() and not DATA_TYPES.search(attrs) and "csp_nonce" not in attrs:
                offences.append(f"{path}: inline <script{attrs}>")
        offences += [f"{path}: {m.group(1)}= handler" for m in HANDLER.finditer(text)]
        offences += [f"{path}: javascript: URL" for _ in JS_URL.finditer(text)]
        # DRF's browsable API only loses some cosmetic floats and margins to the policy: not checked.
        if "rest_framework" not in path.parts:
            offences += [f"{path}: style=\"{value}\"" for value in STYLE_ATTR.findall(text)
                         if value.strip() not in ALLOWED_STYLE_ATTRS]
    assert not offences, "\n".join(offences)


def test_the_allowed_inline_style_is_the_one_hashed_into_the_policy():
    import base64
    import hashlib

    allowed = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src-attr"]
    for value in ALLOWED_STYLE_ATTRS:
        digest = base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


# --- Production: HTTPS only ---------------------------------------------------------------------------

def test_production_sends_hsts_and_only_secure_host_only_cookies(tmp_path):
    code = """
import json, django
django.setup()
from django.core.management import call_command
from django.test import override_settings
# Templates without `collectstatic`'s manifest (the image has one); nothing else changes.
override_settings(STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
call_command("migrate", verbosity=0)
from django.test import Client
from portal.members.models import User
User.objects.create_user(email="a@portal.example", password="Long-enough-pass-2026")
c = Client(HTTP_HOST="portal.example")
page = c.get("/accounts/login/", secure=True)
login = c.post("/accounts/login/", {"login": "a@portal.example", "password": "Long-enough-pass-2026"}, secure=True)
lang = c.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
cookies = {**page.cookies, **login.cookies, **lang.cookies}
print(json.dumps({
    "hsts": page.get("Strict-Transport-Security"),
    "cookies": {k: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]), "samesite": m["samesite"],
                    "path": m["path"], "domain": m["domain"]} for k, m in cookies.items()},
}))
"""
    result = python(code, env=production_env(tmp_path, ACCOUNT_EMAIL_VERIFICATION="none"))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["hsts"] == "max-age=31536000; includeSubDomains; preload"
    cookies = values["cookies"]
    assert {"__Host-sessionid", "__Host-csrftoken", "__Host-django_language"} <= set(cookies), cookies
    assert all(c["secure"] for c in cookies.values()), cookies
    assert cookies["__Host-sessionid"]["httponly"] and cookies["__Host-sessionid"]["samesite"] == "Lax"
    for name in ("__Host-sessionid", "__Host-csrftoken", "__Host-django_language"):
        assert cookies[name]["path"] == "/" and not cookies[name]["domain"]
