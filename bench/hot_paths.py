"""Hot paths at a booking opening (issue 13): every endpoint a member hits, against a bare view, with wrk.

Sets up its own PostgreSQL database (dropped afterwards) with 10,000 verified members signed in with app session
tokens, a palace listing 20 sessions and two popular sessions of capacity 100 among them; serves the app with
gunicorn (production settings plus the benchmark-only bare view, bench/_hot_paths_settings.py; 2 workers x 4
threads gthread; Redis cache) and, at 8 and then 32 connections, measures with wrk (bench/hot_paths_wrk.lua):

- bare      GET /bench/bare/ (portal/bench_views.py): the middleware stack and nothing else, the baseline;
            measured at the start and at the end of each block, the two runs taken together
- me        GET /api/v1/me/, a different member's X-Session-Token on each request
- sessions  GET /api/v1/sessions/?facility=<palace> (20 rows), as signed-in members
- healthz   GET /healthz
- rush      POST /api/v1/bookings/ {"session": id, "seats": 1}, each of the 10,000 members once (as many as
            BENCH_RUSH_MAX allows: `requests` says how many); each concurrency rushes its own popular session
            (100 seats), so all answers but 100 are 409 "full"

For each: req/s, p50 and p99 latency (ms), gunicorn CPU ms per request (master + workers, from /proc), the
ratio of req/s to the bare view at the same concurrency, and cpu_ratio (the bare view's CPU per request over the
endpoint's: the steadier figure when other work shares the machine). Then checks the popular sessions in the
database (seats held = counter <= capacity) and prints one JSON line with the figures and whether each target holds.

    .venv/bin/python bench/hot_paths.py     (or: make bench)

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/portal_bench_hot),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/4), BENCH_MEMBERS (10000), BENCH_DURATION (seconds per
measured run, 10), BENCH_WARMUP (seconds per endpoint, 2), BENCH_RUSH_MAX (seconds a rush may take, 120),
BENCH_CONNECTIONS (8,32), BENCH_WRK_THREADS (1), BENCH_WORKERS, BENCH_THREADS, BENCH_PORT (8767).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    group_cpu_seconds,
    gunicorn,
    log,
    scratch_database,
    seed_members,
    seed_unions,
    server_env,
)

MEMBERS = int(os.environ.get("BENCH_MEMBERS", 10_000))
CAPACITY = 100
LISTED_SESSIONS = 20  # the palace's session list: one page
DURATION_S = int(os.environ.get("BENCH_DURATION", 10))
WARMUP_S = int(os.environ.get("BENCH_WARMUP", 2))
RUSH_MAX_S = int(os.environ.get("BENCH_RUSH_MAX", 120))
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "8,32").split(",")]
WRK_THREADS = int(os.environ.get("BENCH_WRK_THREADS", 1))  # one wrk thread does far more than 2 cores serve
CORES = os.cpu_count() or 2
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
THREADS = int(os.environ.get("BENCH_THREADS", 4))
PORT = int(os.environ.get("BENCH_PORT", 8767))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_hot")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
CACHE_PREFIX = "portal-bench-hot"
BASE_URL = f"http://127.0.0.1:{PORT}"
LUA_SCRIPT = Path(__file__).with_name("hot_paths_wrk.lua")
SERVER_ENV = server_env(database_url=DATABASE_URL, redis_url=REDIS_URL, cache_prefix=CACHE_PREFIX,
                        settings_module="bench._hot_paths_settings")

MIN_RATIO = {"rush": 0.25, "me": 0.4, "sessions": 0.2}  # of the bare view's req/s, at every concurrency
MAX_P99_MS = 100.0  # at the highest concurrency, every endpoint
ENDPOINTS = ("bare", "me", "sessions", "healthz", "rush")


@dataclass(frozen=True)
class Seeded:
    facility_id: int
    rush_session_ids: list[int]  # one per concurrency
    tokens_file: Path


@dataclass(frozen=True)
class Load:
    """One wrk run's request: `tokens` rotates the members' X-Session-Token; `once` sends each token once."""

    method: str
    path: str
    tokens: Path | None = None
    body: dict | None = None
    once: bool = False
    expected: tuple[str, ...] = ("200",)


def seed(workdir: Path) -> Seeded:
    """Migrate, then seed the members, the palace's sessions and the popular ones; writes the token file."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from bookings.models import Activity, Session
    from facilities.models import Facility

    call_command("migrate", verbosity=0, interactive=False)
    clear_cache()  # a previous run's, if it was interrupted
    city, unit = seed_unions()
    tokens = seed_members(organisation=unit, count=MEMBERS, tag="hot")
    palace = Facility.objects.create(kind="palace", organisation=city, name="杭州工人文化宫", region_code="330100")
    course = Activity.objects.create(facility=palace, kind="class_series", title="太极拳入门", category="sports")
    first = (timezone.now() + timedelta(days=2)).replace(hour=11, minute=0, second=0, microsecond=0)
    popular = []
    for n in range(len(CONNECTIONS)):  # each in its own activity: a member's booking in one never blocks another
        concert = Activity.objects.create(facility=palace, kind="event", title=f"新年音乐会 第{n + 1}场",
                                          category="performance", waitlist_enabled=False)
        popular.append(Session(activity=concert, start=first + timedelta(hours=8 + n),
                               end=first + timedelta(hours=10 + n), capacity=CAPACITY))
    classes = [Session(activity=course, start=first + timedelta(days=d), end=first + timedelta(days=d, hours=1),
                       capacity=30) for d in range(LISTED_SESSIONS - len(popular))]
    Session.objects.bulk_create(popular + classes)
    tokens_file = workdir / "tokens.txt"
    tokens_file.write_text("\n".join(tokens) + "\n")
    connections.close_all()
    return Seeded(facility_id=palace.pk, rush_session_ids=[s.pk for s in popular], tokens_file=tokens_file)


def wrk_binary() -> str:
    """wrk from Debian (package `wrk`), installed with apt-get when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: apt-get install wrk")
    log("installing wrk (apt-get install wrk)")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=sys.stderr)
    return shutil.which("wrk") or "/usr/bin/wrk"


def run_wrk(load: Load, *, connections: int, duration_s: int) -> dict:
    """One wrk run; returns the script's figures (requests, duration_us, p50_us, p99_us, statuses, ...).

    A `once` run ends when every wrk thread had an answer for each of its tokens: wrk is then interrupted (SIGINT),
    which ends its run and its clock there; `duration_s` is only the cap.
    """
    cmd = [wrk_binary(), "-t", str(WRK_THREADS), "-c", str(connections), "-d", f"{duration_s}s", "--timeout", "10s",
           "-s", str(LUA_SCRIPT), BASE_URL, "--", load.method, load.path, str(load.tokens or "-"),
           json.dumps(load.body) if load.body else "-", "once" if load.once else "cycle", str(WRK_THREADS)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    stderr = []
    if load.once:
        finished = 0
        for line in proc.stderr:
            if line.startswith("hot-paths: thread done"):
                finished += 1
                if finished == WRK_THREADS:
                    proc.send_signal(signal.SIGINT)
                    break
            else:
                stderr.append(line)
    out, err = proc.communicate(timeout=duration_s + 60)
    for line in out.splitlines():
        if line.startswith("HOT_PATHS_JSON "):
            return json.loads(line.removeprefix("HOT_PATHS_JSON "))
    raise SystemExit(f"wrk gave no figures (exit {proc.returncode}):\n{out}{''.join(stderr)}{err}")


def measure(load: Load, *, server_pid: int, connections: int, duration_s: int = DURATION_S) -> dict:
    """A wrk run with the gunicorn process group's CPU time over it."""
    cpu_before = group_cpu_seconds(server_pid)
    run = run_wrk(load, connections=connections, duration_s=duration_s)
    run["cpu_s"] = group_cpu_seconds(server_pid) - cpu_before
    run["expected"] = load.expected
    return run


def combined(a: dict, b: dict) -> dict:
    """Two runs of one endpoint as one: all their requests over both durations, p50 the mean, p99 the worse."""
    statuses = {code: a["statuses"].get(code, 0) + b["statuses"].get(code, 0)
                for code in {*a["statuses"], *b["statuses"]}}
    return {"requests": a["requests"] + b["requests"], "duration_us": a["duration_us"] + b["duration_us"],
            "p50_us": (a["p50_us"] + b["p50_us"]) / 2, "p99_us": max(a["p99_us"], b["p99_us"]),
            "socket_errors": a["socket_errors"] + b["socket_errors"], "statuses": statuses,
            "cpu_s": a["cpu_s"] + b["cpu_s"], "expected": a["expected"]}


def figures(run: dict) -> dict:
    requests = max(run["requests"], 1)
    statuses = run["statuses"]
    return {
        "req_s": round(run["requests"] / (run["duration_us"] / 1e6), 1),
        "p50_ms": round(run["p50_us"] / 1000, 1),
        "p99_ms": round(run["p99_us"] / 1000, 1),
        "cpu_ms": round(run["cpu_s"] * 1000 / requests, 2),
        "requests": run["requests"],
        "unexpected": sum(n for code, n in statuses.items() if code not in run["expected"]) + run["socket_errors"],
        "errors_5xx": sum(n for code, n in statuses.items() if int(code) >= 500),
    }


def block(seeded: Seeded, *, server_pid: int, connections: int, rush_session_id: int) -> dict:
    """Every endpoint at one concurrency; the bare view first and last."""
    tokens = seeded.tokens_file
    loads = {
        "bare": Load("GET", "/bench/bare/"),
        "me": Load("GET", "/api/v1/me/", tokens=tokens),
        "sessions": Load("GET", f"/api/v1/sessions/?facility={seeded.facility_id}", tokens=tokens),
        "healthz": Load("GET", "/healthz"),
        "rush": Load("POST", "/api/v1/bookings/", tokens=tokens, body={"session": rush_session_id, "seats": 1},
                     once=True, expected=("201", "409")),
    }
    runs = {}
    for name in loads:
        log(f"c{connections} {name}")
        duration = RUSH_MAX_S if name == "rush" else DURATION_S
        runs[name] = measure(loads[name], server_pid=server_pid, connections=connections, duration_s=duration)
    log(f"c{connections} bare (again)")
    runs["bare"] = combined(runs["bare"], measure(loads["bare"], server_pid=server_pid, connections=connections))
    result = {name: figures(runs[name]) for name in ENDPOINTS}
    bare_rate = result["bare"]["req_s"] or 1
    for name in ENDPOINTS:
        if name != "bare":
            result[name]["ratio"] = round(result[name]["req_s"] / bare_rate, 3)
            result[name]["cpu_ratio"] = round(result["bare"]["cpu_ms"] / (result[name]["cpu_ms"] or 1), 3)
    result["rush"]["statuses"] = dict(sorted(runs["rush"]["statuses"].items()))
    return result


def warm_up(seeded: Seeded, *, server_pid: int) -> None:
    for load in (Load("GET", "/bench/bare/"), Load("GET", "/api/v1/me/", tokens=seeded.tokens_file),
                 Load("GET", f"/api/v1/sessions/?facility={seeded.facility_id}", tokens=seeded.tokens_file),
                 Load("GET", "/healthz")):
        run_wrk(load, connections=CONNECTIONS[0], duration_s=WARMUP_S)


def rush_check(session_ids: list[int]) -> list[dict]:
    """Each popular session in the database: seats held by its bookings, its counter, its capacity."""
    from django.db import connections
    from django.db.models import Sum

    from bookings.models import SEAT_STATUSES, Booking, Session

    checks = []
    for session in Session.objects.filter(pk__in=session_ids).order_by("pk"):
        seats = Booking.objects.filter(session=session, status__in=SEAT_STATUSES).aggregate(n=Sum("seats"))["n"]
        seats = seats or 0
        checks.append({"session": session.pk, "capacity": session.capacity, "seats_held": seats,
                       "booked": session.booked,
                       "oversold": max(0, seats - session.capacity, session.booked - session.capacity),
                       "counter_matches": seats == session.booked})
    connections.close_all()
    return checks


def clear_cache() -> None:
    """This benchmark's sessions and throttle counters, out of the shared Redis (its key prefix only)."""
    from django.core.cache import cache

    cache.delete_pattern("*")


def log_errors(server_log: Path) -> None:
    """The server's error lines (not the expected 409 warnings), for a run that had 5xx answers."""
    lines = [line for line in server_log.read_text(errors="replace").splitlines()
             if not line.startswith("Conflict: ")]
    log("server errors (last 40 lines):\n" + "\n".join(lines[-40:]))


def targets(blocks: dict[str, dict], *, oversold: int, errors_5xx: int) -> dict:
    result: dict = {}
    for name, minimum in MIN_RATIO.items():
        worst = min(b[name]["ratio"] for b in blocks.values())
        result[f"{name}_ratio"] = {"min": minimum, "worst": worst, "met": worst >= minimum}
    top = blocks[f"c{max(CONNECTIONS)}"]
    slowest = max(ENDPOINTS, key=lambda name: top[name]["p99_ms"])
    result[f"p99_ms_c{max(CONNECTIONS)}"] = {"max": MAX_P99_MS, "worst": top[slowest]["p99_ms"],
                                             "worst_endpoint": slowest, "met": top[slowest]["p99_ms"] < MAX_P99_MS}
    result["oversold"] = {"max": 0, "value": oversold, "met": oversold == 0}
    result["errors_5xx"] = {"max": 0, "value": errors_5xx, "met": errors_5xx == 0}
    result["all_met"] = all(t["met"] for t in result.values())
    return result


def main() -> None:
    started = time.monotonic()
    wrk_binary()  # before the minutes of seeding
    os.environ.update(SERVER_ENV)
    with scratch_database(DATABASE_URL), tempfile.TemporaryDirectory(prefix="hot-paths-") as tmp:
        log(f"seeding {MEMBERS} members into {DATABASE_URL.rsplit('/', 1)[1]}")
        seeded = seed(Path(tmp))
        log(f"seeded in {time.monotonic() - started:.0f} s")
        bind = f"127.0.0.1:{PORT}"
        log(f"gunicorn {WORKERS} workers x {THREADS} threads on {bind}; wrk at {CONNECTIONS} connections, "
            f"{DURATION_S} s a run")
        server_log = Path(tmp) / "gunicorn.log"  # 9,900 "Conflict" warnings a rush: kept off the terminal
        with gunicorn(env={**os.environ, **SERVER_ENV}, bind=bind, workers=WORKERS, threads=THREADS,
                      log_path=server_log) as server:
            warm_up(seeded, server_pid=server.pid)
            blocks = {f"c{c}": block(seeded, server_pid=server.pid, connections=c, rush_session_id=session_id)
                      for c, session_id in zip(CONNECTIONS, seeded.rush_session_ids, strict=True)}
        checks = rush_check(seeded.rush_session_ids)
        clear_cache()
        errors_5xx = sum(b[name]["errors_5xx"] for b in blocks.values() for name in ENDPOINTS)
        if errors_5xx:
            log_errors(server_log)
    oversold = sum(c["oversold"] for c in checks)
    result = {
        "benchmark": "hot_paths",
        **blocks,
        "rush_check": {"mode": "each member once per concurrency, each concurrency its own session",
                       "sessions": checks},
        "oversold": oversold,
        "errors_5xx": errors_5xx,
        "unexpected": sum(b[name]["unexpected"] for b in blocks.values() for name in ENDPOINTS),
        "targets": targets(blocks, oversold=oversold, errors_5xx=errors_5xx),
        "members": MEMBERS,
        "duration_s": DURATION_S,
        "workers": f"{WORKERS}x{THREADS} gthread",
        "cores": CORES,
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "wall_s": round(time.monotonic() - started),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
