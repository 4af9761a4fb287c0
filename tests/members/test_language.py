import pytest
from rest_framework.test import APIClient

from tests import factories

LOGIN = "/_allauth/app/v1/auth/login"


def _token(email):
    response = APIClient().post(LOGIN, {"email": email, "password": factories.PASSWORD}, format="json")
    return response.json()["meta"]["session_token"]


@pytest.mark.django_db
def test_default_language_is_simplified_chinese(client):
    response = client.get("/")
    assert response.headers["Content-Language"] == "zh-hans"
    assert "工会" in response.content.decode()


@pytest.mark.django_db
def test_accept_language_chooses_per_request(client):
    assert client.get("/", headers={"Accept-Language": "en"}).headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_saved_language_applies_to_app_tokens_and_lang_overrides_it(orgs):
    member = factories.member(organisation=orgs["unit"], email="en@example.com")
    member.user.language = "en"
    member.user.save()
    client = APIClient()
    headers = {"X-Session-Token": _token("en@example.com"), "Accept-Language": "zh-hans"}
    english = client.get("/api/v1/staff/members/", headers=headers)
    assert english.headers["Content-Language"] == "en"
    assert english.json()["detail"] == "The staff API needs a staff role with two-factor authentication enrolled."
    chinese = client.get("/api/v1/staff/members/?lang=zh-hans", headers=headers)
    assert chinese.headers["Content-Language"] == "zh-hans"
    assert chinese.json()["detail"] != english.json()["detail"]


@pytest.mark.django_db
def test_switch_saves_the_preference_for_browser_sessions(client, orgs):
    member = factories.member(organisation=orgs["unit"])
    client.force_login(member.user)
    member.user.language = "en"
    member.user.save()
    assert client.get("/", headers={"Accept-Language": "zh-hans"}).headers["Content-Language"] == "en"
