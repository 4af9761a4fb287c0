"""Signing test users in the way real people do: through allauth's login form, with the TOTP step for
accounts that have an authenticator. The session then carries allauth's authentication records
(password, and "mfa" after the TOTP code), which is what the staff checks look at; force_login()
and force_authenticate() skip them."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from portal.members.management.commands.demo_totp import totp_now

from . import factories


def totp_code_for(user, secret: str = factories.TOTP_SECRET, *, fresh_for: float = 3.0) -> str:
    """The current code, allowed to be used once more: allauth refuses a code seen in the same period
    (replay protection), and a test may sign the same account in twice within 30 seconds. The code is read
    with at least `fresh_for` seconds of its period left (the portal accepts no neighbouring period)."""
    code = totp_now(secret, fresh_for=fresh_for)
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        cache.delete(TOTP(authenticator)._get_used_cache_key(code))
    return code


def login(user, *, password: str = factories.PASSWORD, secret: str = factories.TOTP_SECRET,
          next_url: str | None = None, client: APIClient | None = None) -> APIClient:
    """A client signed in through /accounts/login/ (+ /accounts/2fa/authenticate/ when TOTP is enrolled).
    APIClient serves pages and the API alike (the API accepts the session cookie)."""
    client = client if client is not None else APIClient()
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"login": user.email, "password": password})
    if response.status_code == 302 and response["Location"].startswith(reverse("mfa_authenticate")):
        step = response["Location"]
        for _attempt in range(2):  # a code computed at the very end of a 30 s period may expire on the way
            response = client.post(step, {"code": totp_code_for(user, secret)})
            if response.status_code == 302:
                break
    assert response.status_code == 302, f"login of {user.email} failed: {response.status_code}"
    assert client.session.get("_auth_user_id") == str(user.pk), f"login of {user.email} did not stick"
    return client


def staff_client(user, **kwargs) -> APIClient:
    """A staff member signed in with password and TOTP code, as at the office."""
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(), "enrol TOTP first"
    return login(user, **kwargs)
