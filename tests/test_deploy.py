"""Production settings and the container entrypoint, exercised in subprocesses as a deployment would.

Each subprocess gets a clean environment (never the test run's) and ignores any developer .env, so
the result depends only on what a deployment sets. Nothing here needs the test database.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379

# manage.py, but with django-environ's .env loading switched off so a developer's .env can't leak in.
RUNNER = (
    "import runpy, sys, environ;"
    "environ.Env.read_env = classmethod(lambda cls, *a, **k: None);"
    "sys.argv = ['manage.py', *sys.argv[1:]];"
    "runpy.run_path('manage.py', run_name='__main__')"
)


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ID_NUMBER_HMAC_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "portal.example",
        # check --deploy never connects; the file is only created if something does.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/15",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def manage(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def python(code: str, *, env: dict[str, str]) -> subprocess.CompletedProcess:
    prelude = "import environ; environ.Env.read_env = classmethod(lambda cls, *a, **k: None)\n"
    return subprocess.run([sys.executable, "-c", prelude + code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def redis_available() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- check --deploy ----------------------------------------------------------------------------------

def test_check_deploy_reports_no_issues(tmp_path):
    result = manage("check", "--deploy", "--settings=portal.settings.production", env=production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output
    assert not (tmp_path / "deploy.sqlite3").exists(), "check --deploy must not need a database connection"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ID_NUMBER_HMAC_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_required_variable(tmp_path, missing):
    result = manage("check", "--settings=portal.settings.production", env=production_env(tmp_path, **{missing: None}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize("overrides", [
    {"SECRET_KEY": "change-me-to-a-long-random-string"},
    {"ID_NUMBER_HMAC_KEY": "change-me-to-another-long-random-string"},
    {"DATABASE_URL": "postgres://portal:change-me-db-password@127.0.0.1:5432/portal"},
])
def test_production_refuses_env_example_placeholders(tmp_path, overrides):
    result = manage("check", "--settings=portal.settings.production", env=production_env(tmp_path, **overrides))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "placeholder" in result.stderr


WEAK_SECRETS = {
    "one-character": "x",
    "31-random-characters": secrets.token_urlsafe(64)[:31],
    "long-but-repetitive": "ab" * 40,
    "eleven-different-characters": "0123456789a" * 4,
}


@pytest.mark.parametrize("name", ["SECRET_KEY", "ID_NUMBER_HMAC_KEY", "SECRET_KEY_FALLBACKS"])
@pytest.mark.parametrize("weak", list(WEAK_SECRETS.values()), ids=list(WEAK_SECRETS))
def test_production_refuses_weak_secrets_and_says_how_to_make_one(tmp_path, name, weak):
    result = python("import django; django.setup()", env=production_env(tmp_path, **{name: weak}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and f"{name} is too weak" in result.stderr, result.stderr
    assert 'python -c "import secrets; print(secrets.token_urlsafe(50))"' in result.stderr
    if len(weak) > 1:
        assert weak not in result.stderr  # a secret never lands in the log


def test_production_accepts_generated_keys(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(50), ID_NUMBER_HMAC_KEY=secrets.token_hex(32),
                         SECRET_KEY_FALLBACKS=secrets.token_urlsafe(32))
    result = python("import django; django.setup(); from django.conf import settings; print(len(settings.SECRET_KEY))",
                    env=env)
    assert result.returncode == 0, result.stderr


def test_production_settings_values(tmp_path):
    old_key = secrets.token_urlsafe(64)
    env = production_env(tmp_path, DEBUG="true", EMAIL_URL="smtp+tls://mailer:s3cret@smtp.example.org:587",
                         SECRET_KEY_FALLBACKS=old_key, DB_DISABLE_SERVER_SIDE_CURSORS="true")
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({k: getattr(s, k) for k in ['DEBUG', 'DEMO_DATA_ALLOWED', 'STRIPE_TEST_MODE',"
        " 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'EMAIL_BACKEND', 'EMAIL_HOST',"
        " 'EMAIL_PORT', 'EMAIL_USE_TLS', 'CELERY_TASK_ALWAYS_EAGER', 'SECRET_KEY_FALLBACKS']}"
        " | {'CACHE': s.CACHES['default']['BACKEND'],"
        " 'NO_SERVER_CURSORS': s.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS']}))"
    )
    result = python(code, env=env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,  # whatever the environment says
        "DEMO_DATA_ALLOWED": False,
        "STRIPE_TEST_MODE": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_USE_TLS": True,
        "CELERY_TASK_ALWAYS_EAGER": False,
        "SECRET_KEY_FALLBACKS": [old_key],
        "CACHE": "django_redis.cache.RedisCache",
        "NO_SERVER_CURSORS": True,
    }


def test_healthz_is_exempt_from_the_https_redirect(tmp_path):
    """Container health checks speak plain HTTP to gunicorn; everything else is redirected to HTTPS."""
    code = (
        "import django; django.setup(); from django.test import Client;"
        "c = Client(HTTP_HOST='portal.example');"
        "print(c.get('/healthz').status_code, c.get('/api/v1/me/').status_code, c.get('/api/v1/me/')['Location'])"
    )
    result = python(code, env=production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    healthz, other, location = result.stdout.split()[-3:]
    assert healthz in {"200", "503"}  # 503 only when no Redis answers on this machine
    assert other == "301" and location == "https://portal.example/api/v1/me/"


# --- demo data ---------------------------------------------------------------------------------------

def test_seed_demo_refuses_under_production_settings(tmp_path):
    result = manage("seed_demo", "--settings=portal.settings.production", env=production_env(tmp_path))
    assert result.returncode != 0
    assert "CommandError" in result.stderr and "refuses" in result.stderr, result.stderr
    assert not (tmp_path / "deploy.sqlite3").exists(), "nothing was written"


# --- docker/entrypoint.sh, run for real outside a container ----------------------------------------

@pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379 (started by .ci/run)")
@contextmanager
def running_role(tmp_path: Path, role: str, env: dict, *, seconds: int):
    """Start an entrypoint role, wait until its own healthcheck passes, yield that check, then stop the role."""
    log_path = tmp_path / f"{role}.log"
    log = log_path.open("w")
    process = subprocess.Popen(["sh", str(ENTRYPOINT), role], cwd=tmp_path, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + seconds
        check = None
        while time.monotonic() < deadline:
            assert process.poll() is None, log_path.read_text()
            check = subprocess.run(["sh", str(ENTRYPOINT), "healthcheck", role], env=env, capture_output=True,
                                   text=True, timeout=60)
            if check.returncode == 0:
                break
            time.sleep(1)
        assert check is not None and check.returncode == 0, log_path.read_text()
        yield check
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_entrypoint_web_migrates_serves_and_passes_its_healthcheck(tmp_path):
    # the image runs code from a read-only tree; here the entrypoint runs from the checkout
    env = production_env(tmp_path, PORT=str(free_port()), WEB_CONCURRENCY="1", PYTHONPATH=None)
    with running_role(tmp_path, "web", env, seconds=120) as healthy:
        status = json.loads(healthy.stdout.strip().splitlines()[-1])
        assert status == {"status": "ok", "database": "ok", "broker": "ok"}
        assert (tmp_path / "deploy.sqlite3").exists(), "web applied the migrations before serving"


@pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379 (started by .ci/run)")
def test_entrypoint_beat_healthcheck_reaches_the_broker(tmp_path):
    result = subprocess.run(["sh", str(ENTRYPOINT), "healthcheck", "beat"], env=production_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    down = production_env(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    result = subprocess.run(["sh", str(ENTRYPOINT), "healthcheck", "beat"], env=down, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0


@pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379 (started by .ci/run)")
def test_entrypoint_worker_answers_its_healthcheck(tmp_path):
    env = production_env(tmp_path, CELERY_WORKER_CONCURRENCY="1")
    with running_role(tmp_path, "worker", env, seconds=90) as check:
        assert "pong" in check.stdout
