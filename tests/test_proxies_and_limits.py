"""Who the client is behind the reverse proxy (TRUSTED_PROXY_COUNT), and 429 + Retry-After for every limit."""

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests import factories

GRASSROOTS = "/api/v1/organisations/grassroots/"
API_LOGIN = "/_allauth/app/v1/auth/login"
HTML_LOGIN = "/accounts/login/"
PROXY = "10.0.0.2"  # the reverse proxy as gunicorn sees it


@pytest.fixture
def anon_rate_3(monkeypatch):
    # DRF reads the rates once at import; lower them for this test only.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "3/min"})


def _get(client, forwarded_for, remote=PROXY):
    return client.get(GRASSROOTS, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_throttle(orgs, anon_rate_3, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient()
    statuses = [_get(client, f"198.51.100.{i}", remote="203.0.113.9").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_behind_one_proxy_clients_are_throttled_apart_and_cannot_forge_their_address(orgs, anon_rate_3, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = APIClient()
    # Client A sends its own X-Forwarded-For; the proxy appends the address it really came from.
    a = [_get(client, f"6.6.6.{i}, 198.51.100.7").status_code for i in range(4)]
    assert a == [200, 200, 200, 429]
    # Another client behind the same proxy is not held up by A.
    assert _get(client, "198.51.100.8").status_code == 200


@pytest.mark.django_db
def test_a_throttled_api_request_says_when_to_come_back(orgs, anon_rate_3):
    client = APIClient()
    for _ in range(3):
        client.get(GRASSROOTS)
    response = client.get(GRASSROOTS)
    assert response.status_code == 429
    assert response.json()["type"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


def _fail_logins(client, emails, forwarded_for):
    return [client.post(API_LOGIN, {"email": e, "password": "wrong-password"}, format="json",
                        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for).status_code for e in emails]


@pytest.mark.django_db
def test_behind_one_proxy_a_login_attacker_does_not_lock_out_everyone(orgs, settings):
    """allauth's 10 failed logins per minute per address: keyed on the client, not on the proxy."""
    settings.TRUSTED_PROXY_COUNT = 1
    factories.member(organisation=orgs["unit"], email="victim@example.com")
    client = APIClient()
    statuses = _fail_logins(client, [f"nobody{i}@example.com" for i in range(11)], "198.51.100.66")
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    ok = client.post(API_LOGIN, {"email": "victim@example.com", "password": factories.PASSWORD}, format="json",
                     REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert ok.status_code == 200


@pytest.mark.django_db
def test_without_a_trusted_proxy_forging_the_header_does_not_reset_the_login_limit(orgs, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient()
    statuses = [client.post(API_LOGIN, {"email": f"nobody{i}@example.com", "password": "x-wrong-x"}, format="json",
                            REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
                for i in range(11)]
    assert statuses[10] == 429


@pytest.mark.django_db
def test_headless_login_lock_out_is_429_with_retry_after_and_a_translated_message(orgs):
    factories.member(organisation=orgs["unit"], email="victim@example.com")
    client = APIClient()
    for i in range(5):
        client.post(API_LOGIN, {"email": "victim@example.com", "password": f"guess-{i}"}, format="json")
    response = client.post(API_LOGIN, {"email": "victim@example.com", "password": factories.PASSWORD},
                           format="json", headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 429
    assert 200 <= int(response["Retry-After"]) <= 300  # the 5-per-5-minutes window of this account
    [error] = response.json()["errors"]
    assert error["code"] == "too_many_login_attempts"
    assert "登录失败次数过多" in error["message"], error["message"]


@pytest.mark.django_db
def test_html_login_lock_out_is_a_429_page_with_retry_after(orgs):
    factories.member(organisation=orgs["unit"], email="victim@example.com")
    client = Client(headers={"Accept-Language": "zh-hans"})
    for i in range(5):
        assert client.post(HTML_LOGIN, {"login": "victim@example.com", "password": f"guess-{i}"}).status_code == 200
    response = client.post(HTML_LOGIN, {"login": "victim@example.com", "password": factories.PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "登录失败次数过多" in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_locked_phone_number_does_not_lock_out_other_phone_logins(orgs):
    """allauth keys the per-account limit on email only: every phone login shared one key."""
    factories.member(organisation=orgs["unit"], phone="+8613900000101")
    factories.member(organisation=orgs["unit"], phone="+8613900000102")
    client = APIClient()
    for i in range(6):
        client.post(API_LOGIN, {"phone": "+8613900000101", "password": f"guess-{i}"}, format="json",
                    REMOTE_ADDR=f"198.51.100.{i}")
    assert client.post(API_LOGIN, {"phone": "+8613900000101", "password": factories.PASSWORD}, format="json",
                       REMOTE_ADDR="198.51.100.50").status_code == 429
    ok = client.post(API_LOGIN, {"phone": "+8613900000102", "password": factories.PASSWORD}, format="json",
                     REMOTE_ADDR="198.51.100.51")
    assert ok.status_code == 200, ok.json()


@pytest.mark.django_db
def test_other_allauth_limits_answer_429_with_retry_after(orgs, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "1/m/ip"}
    client = APIClient()
    url = "/_allauth/app/v1/auth/password/request"
    client.post(url, {"email": "a@example.com"}, format="json")
    response = client.post(url, {"email": "b@example.com"}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
