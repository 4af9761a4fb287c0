"""A real Celery worker killed with kill -9 in the middle of a roster import: its transaction dies with
it, the broker hands the task to the next worker after the visibility timeout, and every row is written
exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from mutualaid.models import Enrolment, RosterImport, RosterStatus
from mutualaid.roster import services
from portal.celery import app
from portal.members.models import Role
from portal.stats.models import ServiceRecord
from tests import factories

from .roster_files import csv_bytes, make_scheme, rows

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY = 6  # seconds; production uses CELERY_VISIBILITY_TIMEOUT=1800
ROWS = 100_000  # the size: the largest roster a work unit may upload

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _start_worker(name: str, media: Path, log: Path) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
        "TEST_OUTBOX_DIR": str(log.parent),
        "MEDIA_ROOT": str(media),
    }
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


def test_a_worker_killed_mid_import_is_redelivered_and_writes_each_row_once(orgs, settings, tmp_path, monkeypatch):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    officer = factories.staff(organisation=orgs["city"], role=Role.MUTUALAID_OFFICER)
    scheme = make_scheme(orgs["city"], min_age=None, max_age=None)
    roster = services.roster_upload(actor=officer, scheme_id=scheme.pk, organisation_id=orgs["unit"].pk,
                                    file=SimpleUploadedFile("roster.csv", csv_bytes(rows(ROWS))))  # checked eagerly
    assert RosterImport.objects.get(pk=roster.pk).status == RosterStatus.VALID

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    app.control.purge()
    first = _start_worker("first", media, tmp_path / "first.log")
    try:
        services.roster_confirm(actor=officer, roster_id=roster.pk)  # queued on the broker
        # Rows are being written inside the import's transaction: kill the worker in the middle of it.
        assert _wait_for(lambda: (services.import_progress(roster.pk) or 0) >= 4000, 120), \
            (tmp_path / "first.log").read_text()
        killed_at = time.monotonic()
        _kill_group(first)
    finally:
        if first.poll() is None:
            _kill_group(first)
    # The database rolled the dead transaction back: nothing of it is visible, the import is still running.
    assert _wait_for(lambda: RosterImport.objects.get(pk=roster.pk).status == RosterStatus.IMPORTING, 5)
    assert Enrolment.objects.count() == 0

    time.sleep(max(0.0, VISIBILITY + 1 - (time.monotonic() - killed_at)))
    second = _start_worker("second", media, tmp_path / "second.log")
    try:
        assert _wait_for(lambda: RosterImport.objects.get(pk=roster.pk).status == RosterStatus.DONE, 300), \
            (tmp_path / "second.log").read_text()
        time.sleep(VISIBILITY + 2)  # nothing else comes back once it finished and was acknowledged
    finally:
        _kill_group(second)
    assert Enrolment.objects.count() == ROWS
    assert Enrolment.objects.values("member").distinct().count() == ROWS
    assert ServiceRecord.objects.count() == ROWS
    assert "received" in (tmp_path / "second.log").read_text().lower()
