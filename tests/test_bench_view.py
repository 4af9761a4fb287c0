"""The benchmark-only bare view (portal/bench_views.py): routed only with BENCH_BARE_VIEW, never in production.

The switched-on cases run in subprocesses (the URLconf is read once per process), as tests/test_deploy.py does.
"""

from __future__ import annotations

from django.conf import settings

from .test_deploy import manage, production_env, python

BARE_URL = "/bench/bare/"


def test_bare_view_is_off_by_default(client):
    assert settings.BENCH_BARE_VIEW is False
    assert client.get(BARE_URL).status_code == 404


def test_bare_view_answers_through_the_middleware_when_switched_on(tmp_path):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="portal.settings.test", ALLOWED_HOSTS="testserver",
                         BENCH_BARE_VIEW="true")
    result = python(
        "import django; django.setup()\n"
        "from django.test import Client\n"
        f"response = Client().get({BARE_URL!r})\n"
        "print(response.status_code, response.content.decode(), response.headers.get('X-Content-Type-Options'))\n",
        env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", '{"status":', '"ok"}', "nosniff"]  # the security middleware ran


def test_production_refuses_to_start_with_the_bare_view(tmp_path):
    result = manage("check", "--settings=portal.settings.production",
                    env=production_env(tmp_path, BENCH_BARE_VIEW="true"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "BENCH_BARE_VIEW" in result.stderr


def test_the_benchmark_settings_are_production_with_the_bare_view_routed(tmp_path):
    code = ("import django; django.setup()\n"
            "from django.conf import settings; from django.urls import resolve\n"
            f"print(settings.BENCH_BARE_VIEW, settings.SESSION_COOKIE_SECURE, resolve({BARE_URL!r}).url_name)\n")
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="bench._hot_paths_settings")
    result = python(code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "bench-bare"]
    # The environment variable is refused there too: production's check runs first.
    refused = python(code, env={**env, "BENCH_BARE_VIEW": "true"})
    assert refused.returncode != 0 and "BENCH_BARE_VIEW" in refused.stderr
