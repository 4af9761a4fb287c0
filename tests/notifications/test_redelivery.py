"""A worker killed with kill -9 mid-task: the broker hands the task to the next worker after the
visibility timeout, and the task finishes exactly once (what was already sent is not sent again)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from portal.celery import app
from portal.notifications.models import Message
from portal.notifications.services import notify

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY = 6  # seconds; production uses CELERY_VISIBILITY_TIMEOUT=1800

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _start_worker(name: str, outbox: Path, log: Path) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        # the database the test runs on (pytest-django's test_ copy), reached by a separate process
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
        "TEST_OUTBOX_DIR": str(outbox),
        "SLOW_SMS_SECONDS": "3",
    }
    # A prefork worker (parent + child) in its own process group, as the entrypoint runs it.
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "prefork", "--concurrency", "1",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}@%h"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def test_a_task_of_a_killed_worker_is_redelivered_and_completes_once(member, tmp_path, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    app.control.purge()  # this test's broker db starts empty
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    first = _start_worker("first", outbox, tmp_path / "first.log")
    try:
        message = notify(user=member.user, kind="member_verified", context={"name": "n", "organisation": "o"})
        # The email goes out, then the SMS gateway is slow: kill the whole worker in the middle of it.
        assert _wait_for(lambda: any(outbox.glob("sms-sending-*")), 60), (tmp_path / "first.log").read_text()
        killed_at = time.monotonic()
        _kill_group(first)
    finally:
        if first.poll() is None:
            _kill_group(first)
    assert not any(outbox.glob("sms-sent-*"))
    message.refresh_from_db()
    assert message.email_sent_at is not None and message.sms_sent_at is None

    # Redis gives the unacknowledged task to a new worker once the visibility timeout has passed.
    time.sleep(max(0.0, VISIBILITY + 1 - (time.monotonic() - killed_at)))
    second = _start_worker("second", outbox, tmp_path / "second.log")
    try:
        assert _wait_for(lambda: Message.objects.get(pk=message.pk).sms_sent_at is not None, 60), \
            (tmp_path / "second.log").read_text()
        time.sleep(VISIBILITY + 2)  # nothing else comes back once it finished and was acknowledged
    finally:
        _kill_group(second)

    assert len(list(outbox.glob("sms-sent-*"))) == 1
    emails = [p for p in outbox.iterdir() if p.suffix == ".log"]
    assert len(emails) == 1  # the retried task did not send the email a second time
    assert "received" in (tmp_path / "second.log").read_text().lower()
