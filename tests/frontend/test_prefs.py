import pytest
from django.conf import settings
from django.urls import reverse

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_default_language_is_chinese(client):
    response = client.get("/")
    assert '<html lang="zh-hans"' in response.content.decode()


def test_language_switch_sets_the_cookie_and_redirects_back(client):
    response = client.post(reverse("frontend:set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en"' in client.get("/").content.decode()


def test_language_switch_saves_the_preference_of_a_signed_in_user(people):
    for user in (people["member"].user, people["officer"]):
        client = client_for(user)
        client.post(reverse("frontend:set_language"), {"language": "en", "next": "/"})
        user.refresh_from_db()
        assert user.language == "en"
        # A fresh browser without the cookie still gets the saved language.
        fresh = client_for(user)
        assert '<html lang="en"' in fresh.get("/").content.decode()


def test_language_switch_ignores_unknown_languages_and_foreign_next(client):
    response = client.post(reverse("frontend:set_language"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_large_text_switch(client):
    on = client.post(reverse("frontend:set_text_size"), {"large": "1", "next": "/"})
    assert on.status_code == 302
    assert 'class="large-text"' in client.get("/").content.decode()
    client.post(reverse("frontend:set_text_size"), {"large": "0", "next": "/"})
    assert 'class="large-text"' not in client.get("/").content.decode()


def test_switches_need_post(client):
    assert client.get(reverse("frontend:set_language")).status_code == 405
    assert client.get(reverse("frontend:set_text_size")).status_code == 405
