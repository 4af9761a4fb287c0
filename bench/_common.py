"""Shared plumbing for benchmarks: a throwaway PostgreSQL database, a gunicorn server, an asyncio load loop.

Progress goes to stderr; each benchmark prints exactly one JSON line of figures on stdout.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECRET_KEY = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
ID_NUMBER_HMAC_KEY = "bench-only-id-number-key-0123456789abcdefghijklmnop"
TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _admin_url(database_url: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def _admin(database_url: str, sql: str) -> None:
    import psycopg

    admin_url, _name = _admin_url(database_url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def scratch_database(database_url: str):
    """Create the benchmark's own database (dropping a leftover one first) and drop it afterwards."""
    _admin_url_, name = _admin_url(database_url)
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing odd database name {name!r}")
    _admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(database_url, f'CREATE DATABASE "{name}"')
    try:
        yield
    finally:
        _admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def gunicorn(*, env: dict, bind: str, workers: int, threads: int, log_path: Path | None = None):
    """Serve portal.wsgi with gunicorn (gthread) and stop exactly that process group afterwards.

    The server's output goes to log_path when given (else to this process's stdout and stderr)."""
    cmd = [PYTHON, "-m", "gunicorn", "portal.wsgi:application", "--bind", bind, "--worker-class", "gthread",
           "--workers", str(workers), "--threads", str(threads), "--backlog", "2048", "--keep-alive", "30",
           "--log-level", "warning"]
    output = open(log_path, "ab") if log_path else None  # closed below, once the server stopped
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,  # noqa: S603 - fixed argv
                            stdout=output, stderr=output)
    try:
        wait_ready(f"http://{bind}/healthz", proc)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if output:
            output.close()


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback URL we built)
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server at {url} did not become ready")


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every process in a process group (the gunicorn master and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 (pgrp) after the command name
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def fire(*, base_url: str, requests: list[tuple[str, str, dict, dict | None]], concurrency: int) -> dict:
    """Send (method, path, headers, json) requests with at most `concurrency` in flight.

    Returns wall time, per-request latencies (ms), status codes and the JSON bodies of 2xx answers. The client is
    aiohttp: it shares the 2 cores with the server, and costs a fraction of httpx's CPU per request.
    """
    import aiohttp

    semaphore = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    statuses: list[int] = []
    bodies: list = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(base_url=base_url, connector=connector, timeout=timeout) as client:

        async def one(method, path, headers, body):
            async with semaphore:
                started = time.perf_counter()
                try:
                    async with client.request(method, path, headers=headers, json=body) as response:
                        status = response.status
                        if status < 300:
                            payload = await response.json()
                        else:
                            await response.read()  # drain, so the connection is reused
                            payload = None
                except (TimeoutError, aiohttp.ClientError):
                    status, payload = 599, None  # transport failure: counted with the 5xx
                latencies.append((time.perf_counter() - started) * 1000)
                statuses.append(status)
                bodies.append(payload)

        started = time.perf_counter()
        await asyncio.gather(*(one(*r) for r in requests))
        wall = time.perf_counter() - started
    return {"wall_s": wall, "latencies_ms": latencies, "statuses": statuses, "bodies": bodies}


def server_env(*, database_url: str, redis_url: str, cache_prefix: str,
               settings_module: str = "portal.settings.production") -> dict[str, str]:
    """The environment of a benchmark's server (and of its seeding, so both share the cache): production settings
    on the scratch database and Redis, throttles out of the way (one load tool stands for thousands of members),
    and the expected refusals' warnings unlogged."""
    return {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "SECRET_KEY": SECRET_KEY,
        "ID_NUMBER_HMAC_KEY": ID_NUMBER_HMAC_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CACHE_KEY_PREFIX": cache_prefix,
        "SECURE_SSL_REDIRECT": "False",
        "SECURE_HSTS_SECONDS": "0",
        "THROTTLE_USER": "100000000/min",
        "THROTTLE_ANON": "100000000/min",
        "LOG_LEVEL": "ERROR",
        "CONN_MAX_AGE": "60",
        "PYTHONPATH": str(ROOT),
    }


def seed_unions():
    """The union tree a benchmark needs: national > city > one grassroots union. Returns (city, unit)."""
    from portal.members.models import Organisation

    root = Organisation.objects.add_root(create_kwargs=dict(name="中华全国总工会", level="national",
                                                             region_code="100000"))
    city = Organisation.objects.add_child(root, create_kwargs=dict(name="杭州市总工会", level="city",
                                                                    region_code="330100"))
    city.refresh_from_db()
    unit = Organisation.objects.add_child(city, create_kwargs=dict(name="杭州钢铁集团工会", level="grassroots",
                                                                    region_code="330106"))
    return city, unit


def seed_members(*, organisation, count: int, tag: str) -> list[str]:
    """`count` verified members of `organisation`, each signed in; returns their allauth app session tokens.

    An app session token is the session key of a logged-in session, so the sessions are written directly (bulk).
    With a cache-backed SESSION_ENGINE (cached_db) they go into the cache too, as for members who have been
    using the app: the first request of each member then costs what every later one does.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session as DjangoSession
    from django.core.cache import caches
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from portal.members.models import Member, User, VerificationStatus

    password = make_password(None)
    users = User.objects.bulk_create([User(email=f"{tag}{i:05d}@bench.example", password=password)
                                      for i in range(count)])
    Member.objects.bulk_create([
        Member(user=u, member_number=f"{tag[:1].upper()}{i:09d}", real_name=f"会员{i}", organisation=organisation,
               verification_status=VerificationStatus.VERIFIED) for i, u in enumerate(users)])
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    store = store_class()
    lifetime = 24 * 3600
    expires = timezone.now() + timedelta(seconds=lifetime)
    sessions: dict[str, dict] = {}
    for user in users:
        sessions[get_random_string(32, TOKEN_ALPHABET)] = {
            "_auth_user_id": str(user.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash()}
    DjangoSession.objects.bulk_create([DjangoSession(session_key=key, session_data=store.encode(data),
                                                     expire_date=expires) for key, data in sessions.items()],
                                      batch_size=2000)
    prefix = getattr(store_class, "cache_key_prefix", None)
    if prefix is not None:
        caches[settings.SESSION_CACHE_ALIAS].set_many({prefix + key: data for key, data in sessions.items()},
                                                      timeout=lifetime)
    return list(sessions)
