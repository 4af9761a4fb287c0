"""Sanatorium availability and concurrent stays: 20 sanatoriums x 6 room types x 365 nights over HTTP.

Sets up its own PostgreSQL database (dropped afterwards) with 43,800 room nights and verified members with
app session tokens, serves the app with gunicorn (production settings, gthread) and measures, in one run:
- availability: GET /api/v1/facilities/{id}/availability/ for 120-night ranges (random sanatorium and start),
  p50 / p99 latency at a concurrency equal to the cores (the server's own time, not the load tool's queue);
- stays: concurrent POST /api/v1/stays/ by the members, overlapping ranges on few room types so nights fill
  up and requests race for the last rooms;
- baseline: GET /api/v1/me/ under the same concurrency, before and after the stays (their mean);
then checks every night against the stays holding it (no night over-taken, no counter drift).
Prints one JSON line: availability_p50_ms, availability_p99_ms, stays_per_s, baseline_per_s, ratio
(stays_per_s / baseline_per_s), overtaken_nights, and more.

    .venv/bin/python bench/stay_availability.py     (or: make bench)

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/portal_bench_stays),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/4), BENCH_MEMBERS, BENCH_AVAILABILITY_REQUESTS,
BENCH_CONCURRENCY, BENCH_WORKERS, BENCH_THREADS, BENCH_PORT.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
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
)

SANATORIUMS, ROOM_TYPES, NIGHTS, WINDOW = 20, 6, 365, 120
ROOMS_PER_TYPE = 8
MEMBERS = int(os.environ.get("BENCH_MEMBERS", 1500))
AVAILABILITY_REQUESTS = int(os.environ.get("BENCH_AVAILABILITY_REQUESTS", 600))
CORES = os.cpu_count() or 2
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", 8))  # as bench/booking_rush.py: saturates 2 cores
WORKERS = int(os.environ.get("BENCH_WORKERS", CORES))
THREADS = int(os.environ.get("BENCH_THREADS", 4))
PORT = int(os.environ.get("BENCH_PORT", 8766))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_stays")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")

SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "ID_NUMBER_HMAC_KEY": "bench-only-id-number-key-0123456789abcdefghijklmnop",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "CELERY_BROKER_URL": REDIS_URL,
    "CACHE_KEY_PREFIX": "portal-bench-stays",
    "SECURE_SSL_REDIRECT": "False",
    "SECURE_HSTS_SECONDS": "0",
    "THROTTLE_USER": "100000000/min",
    "THROTTLE_ANON": "100000000/min",
    "LOG_LEVEL": "ERROR",  # the expected 409s (full nights) would otherwise each log a warning line
    "CONN_MAX_AGE": "60",
}


def seed() -> tuple[list[int], list[int], list[str]]:
    """Migrate, then seed the sanatoriums, their nights and the members; returns (facility ids, the room type
    ids the stays aim at, session tokens)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from facilities.models import Facility, RoomNight, RoomType, RoomTypeKind, SanatoriumPolicy
    from portal.members.models import Organisation

    call_command("migrate", verbosity=0, interactive=False)
    root = Organisation.objects.add_root(create_kwargs=dict(name="中华全国总工会", level="national",
                                                             region_code="100000"))
    province = Organisation.objects.add_child(root, create_kwargs=dict(name="浙江省总工会", level="province",
                                                                        region_code="330000"))
    province.refresh_from_db()
    unit = Organisation.objects.add_child(province, create_kwargs=dict(name="杭州钢铁集团工会", level="grassroots",
                                                                        region_code="330106"))
    facilities = Facility.objects.bulk_create([
        Facility(kind="sanatorium", organisation=province, name=f"职工疗休养院 {i:02d}", region_code="330000")
        for i in range(SANATORIUMS)])
    SanatoriumPolicy.objects.bulk_create([SanatoriumPolicy(facility=f) for f in facilities])
    kinds = list(RoomTypeKind.values)
    room_types = RoomType.objects.bulk_create([
        RoomType(facility=f, kind=kinds[j % len(kinds)], name=f"房型 {j}", rooms=ROOMS_PER_TYPE, beds=2,
                 member_price_fen=20_000 + 1_000 * j, companion_price_fen=30_000)
        for f in facilities for j in range(ROOM_TYPES)])
    today = timezone.localdate()
    RoomNight.objects.bulk_create([RoomNight(room_type=rt, date=today + timedelta(days=d), rooms_open=rt.rooms)
                                   for rt in room_types for d in range(NIGHTS)], batch_size=5000)
    tokens = seed_members(organisation=unit, count=MEMBERS, tag="stay")
    # The stays aim at the first two sanatoriums' room types, so nights fill and requests meet full nights.
    targets = [rt.pk for rt in room_types[:2 * ROOM_TYPES]]
    ids = [f.pk for f in facilities]
    connections.close_all()
    return ids, targets, tokens


def verify() -> dict:
    """Every night against the stays holding it (one query each way)."""
    from collections import defaultdict

    from django.db import connections

    from bookings.models import NIGHT_HOLDING_STATUSES, Stay
    from facilities.models import RoomNight

    held: dict = defaultdict(int)
    for room_type_id, check_in, check_out, rooms in Stay.objects.filter(
            status__in=NIGHT_HOLDING_STATUSES).values_list("room_type_id", "check_in", "check_out", "rooms"):
        for i in range((check_out - check_in).days):
            held[(room_type_id, check_in + timedelta(days=i))] += rooms
    overtaken = drift = 0
    for room_type_id, day, opened, taken in RoomNight.objects.values_list("room_type_id", "date", "rooms_open",
                                                                          "rooms_taken").iterator():
        overtaken += taken > opened
        drift += taken != held.get((room_type_id, day), 0)
    stays = Stay.objects.filter(status__in=NIGHT_HOLDING_STATUSES).count()
    connections.close_all()
    return {"overtaken_nights": overtaken, "counter_drift_nights": drift, "db_stays": stays}


def main() -> None:
    os.environ.update(SERVER_ENV)
    from django.utils import timezone

    with scratch_database(DATABASE_URL):
        log(f"seeding {SANATORIUMS}x{ROOM_TYPES}x{NIGHTS} nights and {MEMBERS} members")
        facility_ids, targets, tokens = seed()
        today = timezone.localdate()
        rng = random.Random(10)
        server_env = {**os.environ, **SERVER_ENV, "PYTHONPATH": str(ROOT)}
        bind = f"127.0.0.1:{PORT}"
        log(f"gunicorn {WORKERS} workers x {THREADS} threads on {bind}; concurrency {CONCURRENCY}")

        def availability(n: int) -> list:
            out = []
            for _ in range(n):
                start = today + timedelta(days=rng.randint(0, NIGHTS - WINDOW))
                out.append(("GET", f"/api/v1/facilities/{rng.choice(facility_ids)}/availability/"
                                   f"?start={start}&end={start + timedelta(days=WINDOW)}", {}, None))
            return out

        def stay(token: str) -> tuple:
            check_in = today + timedelta(days=rng.randint(1, 30))
            return ("POST", "/api/v1/stays/", {"X-Session-Token": token}, {
                "room_type": rng.choice(targets), "check_in": check_in.isoformat(),
                "check_out": (check_in + timedelta(days=rng.randint(1, 5))).isoformat(), "rooms": 1,
                "guests": [{"type": "member"}]})

        with gunicorn(env=server_env, bind=bind, workers=WORKERS, threads=THREADS) as server:
            base = f"http://{bind}"
            me = [("GET", "/api/v1/me/", {"X-Session-Token": t}, None) for t in tokens]
            asyncio.run(fire(base_url=base, requests=me[:300] + availability(100), concurrency=CONCURRENCY))
            avail = asyncio.run(fire(base_url=base, requests=availability(AVAILABILITY_REQUESTS),
                                     concurrency=CORES))
            cpu0 = group_cpu_seconds(server.pid)
            baseline = asyncio.run(fire(base_url=base, requests=me, concurrency=CONCURRENCY))
            cpu1 = group_cpu_seconds(server.pid)
            stays = asyncio.run(fire(base_url=base, requests=[stay(t) for t in tokens], concurrency=CONCURRENCY))
            cpu2 = group_cpu_seconds(server.pid)
            after = asyncio.run(fire(base_url=base, requests=me, concurrency=CONCURRENCY))
        check = verify()

    statuses = Counter(stays["statuses"])
    booked = sum(1 for b in stays["bodies"] if b and b.get("status") in ("confirmed", "pending_payment"))
    stays_per_s = len(tokens) / stays["wall_s"]
    baseline_per_s = 2 * len(tokens) / (baseline["wall_s"] + after["wall_s"])
    avail_sizes = [len(b["room_types"]) * len(b["dates"]) for b in avail["bodies"] if b]
    result = {
        "benchmark": "stay_availability",
        "nights_in_db": SANATORIUMS * ROOM_TYPES * NIGHTS,
        "availability_requests": len(avail["statuses"]),
        "availability_nights_per_answer": max(avail_sizes, default=0),
        "availability_p50_ms": round(percentile(avail["latencies_ms"], 50), 1),
        "availability_p99_ms": round(percentile(avail["latencies_ms"], 99), 1),
        "availability_errors": sum(1 for s in avail["statuses"] if s != 200),
        "stay_attempts": len(tokens),
        "stays_booked": booked,
        "stay_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors_5xx": sum(n for code, n in statuses.items() if code >= 500),
        "stays_per_s": round(stays_per_s, 1),
        "stay_p50_ms": round(percentile(stays["latencies_ms"], 50), 1),
        "stay_p99_ms": round(percentile(stays["latencies_ms"], 99), 1),
        "baseline": "GET /api/v1/me/",
        "baseline_per_s": round(baseline_per_s, 1),
        "ratio": round(stays_per_s / baseline_per_s, 3),
        "overtaken_nights": check["overtaken_nights"],
        "counter_drift_nights": check["counter_drift_nights"],
        "stays_match": check["db_stays"] == booked,
        "server_cpu_ms_per_stay": round((cpu2 - cpu1) * 1000 / len(tokens), 2),
        "server_cpu_ms_per_baseline": round((cpu1 - cpu0) * 1000 / len(tokens), 2),
        "concurrency": CONCURRENCY,
        "availability_concurrency": CORES,
        "workers": f"{WORKERS}x{THREADS} gthread",
        "cores": CORES,
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
