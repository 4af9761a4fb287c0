"""Booking rush: 2,000 verified members race for one popular session (capacity 100) over HTTP.

Sets up its own PostgreSQL database (dropped afterwards), seeds the members with app session tokens,
serves the app with gunicorn (production settings, gthread) and fires the 2,000 booking POSTs through an
asyncio aiohttp client. In the same run it measures GET /api/v1/me/ under the same load as the baseline
(before and after the rush; the mean of the two is the baseline).
Prints one JSON line: attempts, confirmed, oversold, errors_5xx, bookings_per_s, p50_ms, p99_ms,
baseline_per_s, ratio (bookings_per_s / baseline_per_s) and a few more.

    .venv/bin/python bench/booking_rush.py     (or: make bench)

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/portal_bench),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/4), BENCH_MEMBERS, BENCH_CAPACITY, BENCH_CONCURRENCY,
BENCH_WORKERS, BENCH_THREADS, BENCH_PORT.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    ROOT,
    fire,
    group_cpu_seconds,
    gunicorn,
    log,
    percentile,
    scratch_database,
    seed_members,
    seed_unions,
)

MEMBERS = int(os.environ.get("BENCH_MEMBERS", 2000))
CAPACITY = int(os.environ.get("BENCH_CAPACITY", 100))
# 8 in flight already saturates the 2-core server (same bookings/s as 16 or 64); more only measures the
# load tool's own queue (Little's law). BENCH_CONCURRENCY=16 or 64 shows that.
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", 8))
CORES = os.cpu_count() or 2
WORKERS = int(os.environ.get("BENCH_WORKERS", CORES))  # one process per core; threads cover I/O waits
THREADS = int(os.environ.get("BENCH_THREADS", 4))
PORT = int(os.environ.get("BENCH_PORT", 8765))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")

SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "ID_NUMBER_HMAC_KEY": "bench-only-id-number-key-0123456789abcdefghijklmnop",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "CELERY_BROKER_URL": REDIS_URL,
    "CACHE_KEY_PREFIX": "portal-bench",
    "SECURE_SSL_REDIRECT": "False",
    "SECURE_HSTS_SECONDS": "0",
    # The rush is 2,000 distinct members, but the baseline reuses them: throttles must not bite.
    "THROTTLE_USER": "100000000/min",
    "THROTTLE_ANON": "100000000/min",
    "LOG_LEVEL": "ERROR",  # 1,900 expected 409s would otherwise each log a warning line
    "CONN_MAX_AGE": "60",
}


def seed() -> tuple[int, list[str]]:
    """Migrate, then seed members, their session tokens and one popular session; returns (session, tokens)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from bookings.models import Activity, Session
    from facilities.models import Facility

    call_command("migrate", verbosity=0, interactive=False)
    city, unit = seed_unions()
    tokens = seed_members(organisation=unit, count=MEMBERS, tag="rush")
    facility = Facility.objects.create(kind="palace", organisation=city, name="杭州工人文化宫", region_code="330100")
    activity = Activity.objects.create(facility=facility, kind="event", title="新年音乐会", category="performance",
                                       waitlist_enabled=False, max_seats_per_booking=1)
    start = timezone.now() + timedelta(days=2)
    session = Session.objects.create(activity=activity, start=start, end=start + timedelta(hours=2),
                                     capacity=CAPACITY)
    connections.close_all()
    return session.pk, tokens


def verify(session_id: int) -> dict:
    from django.db import connections
    from django.db.models import Sum

    from bookings.models import SEAT_STATUSES, Booking, Session

    session = Session.objects.get(pk=session_id)
    seats = Booking.objects.filter(session=session, status__in=SEAT_STATUSES).aggregate(n=Sum("seats"))["n"] or 0
    result = {"db_seats": seats, "counter": session.booked}
    connections.close_all()
    return result


def main() -> None:
    os.environ.update(SERVER_ENV)
    with scratch_database(DATABASE_URL):
        log(f"seeding {MEMBERS} members into {DATABASE_URL.rsplit('/', 1)[1]}")
        session_id, tokens = seed()
        server_env = {**os.environ, **SERVER_ENV, "PYTHONPATH": str(ROOT)}
        bind = f"127.0.0.1:{PORT}"
        log(f"gunicorn {WORKERS} workers x {THREADS} threads on {bind}; concurrency {CONCURRENCY}")
        with gunicorn(env=server_env, bind=bind, workers=WORKERS, threads=THREADS) as server:
            base = f"http://{bind}"
            me = [("GET", "/api/v1/me/", {"X-Session-Token": t}, None) for t in tokens]
            asyncio.run(fire(base_url=base, requests=me[:300], concurrency=CONCURRENCY))  # warm-up
            cpu0 = group_cpu_seconds(server.pid)
            baseline = asyncio.run(fire(base_url=base, requests=me, concurrency=CONCURRENCY))
            cpu1 = group_cpu_seconds(server.pid)
            rush = asyncio.run(fire(base_url=base, concurrency=CONCURRENCY, requests=[
                ("POST", "/api/v1/bookings/", {"X-Session-Token": t}, {"session": session_id, "seats": 1})
                for t in tokens]))
            cpu2 = group_cpu_seconds(server.pid)
            # A second baseline after the rush: the rush is compared with the mean of the two, so a
            # neighbour's load spike during one phase skews the ratio less.
            after = asyncio.run(fire(base_url=base, requests=me, concurrency=CONCURRENCY))
        check = verify(session_id)

    statuses = Counter(rush["statuses"])
    confirmed = sum(1 for b in rush["bodies"] if b and b.get("status") in ("confirmed", "pending_payment"))
    bookings_per_s = len(tokens) / rush["wall_s"]
    baseline_per_s = 2 * len(tokens) / (baseline["wall_s"] + after["wall_s"])
    baseline_latencies = baseline["latencies_ms"] + after["latencies_ms"]
    result = {
        "benchmark": "booking_rush",
        "attempts": len(tokens),
        "capacity": CAPACITY,
        "confirmed": confirmed,
        "oversold": max(0, check["db_seats"] - CAPACITY, check["counter"] - CAPACITY, confirmed - CAPACITY),
        "counter_matches": check["db_seats"] == check["counter"] == confirmed,
        "errors_5xx": sum(n for code, n in statuses.items() if code >= 500),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "bookings_per_s": round(bookings_per_s, 1),
        "p50_ms": round(percentile(rush["latencies_ms"], 50), 1),
        "p99_ms": round(percentile(rush["latencies_ms"], 99), 1),
        "baseline": "GET /api/v1/me/",
        "baseline_per_s": round(baseline_per_s, 1),
        "baseline_p99_ms": round(percentile(baseline_latencies, 99), 1),
        "baseline_errors_5xx": sum(1 for s in baseline["statuses"] + after["statuses"] if s >= 500),
        "ratio": round(bookings_per_s / baseline_per_s, 3),
        # Server CPU per request (gunicorn processes only): steadier than wall-clock rates on a busy machine.
        "server_cpu_ms_per_booking": round((cpu2 - cpu1) * 1000 / len(tokens), 2),
        "server_cpu_ms_per_baseline": round((cpu1 - cpu0) * 1000 / len(tokens), 2),
        "concurrency": CONCURRENCY,
        "workers": f"{WORKERS}x{THREADS} gthread",
        "cores": CORES,
        "loadavg_1m": round(os.getloadavg()[0], 2),  # other processes on the machine during the run
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
