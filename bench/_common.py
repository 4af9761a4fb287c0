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
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


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
def gunicorn(*, env: dict, bind: str, workers: int, threads: int):
    """Serve portal.wsgi with gunicorn (gthread) and stop exactly that process group afterwards."""
    cmd = [PYTHON, "-m", "gunicorn", "portal.wsgi:application", "--bind", bind, "--worker-class", "gthread",
           "--workers", str(workers), "--threads", str(threads), "--backlog", "2048", "--keep-alive", "30",
           "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603 - fixed argv
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
