"""make backup / make restore on PostgreSQL: demo data dumped and restored into a fresh database, every
table's row count equal. Scratch databases get unique names and are dropped afterwards."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _admin():
    return psycopg.connect(_url("postgres"), autocommit=True)


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def _make(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url(name)
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_into_a_fresh_database_keep_every_row(fresh_database, tmp_path):
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    source = _url(connection.settings_dict["NAME"])
    before = _counts(source)
    assert before["members_user"] >= 8 and before["bookings_session"] > 0

    backup = _make("backup", env={"DATABASE_URL": source, "BACKUP_DIR": str(tmp_path / "backups")})
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.parent == tmp_path / "backups" and dump.suffix == ".dump" and dump.stat().st_size > 0
    assert dump.stat().st_mode & 0o077 == 0  # personal data: not readable by other users
    assert not list(dump.parent.glob("*.partial"))

    restore = _make("restore", f"FILE={dump}", f"TARGET_DATABASE_URL={fresh_database}",
                    env={"DATABASE_URL": source})
    assert restore.returncode == 0, restore.stderr
    assert _counts(fresh_database) == before
    # Restoring again over the restored copy (--clean) leaves the same rows, not twice as many.
    again = _make("restore", f"FILE={dump}", env={"DATABASE_URL": fresh_database})
    assert again.returncode == 0, again.stderr
    assert _counts(fresh_database) == before
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("SELECT 1 FROM members_user WHERE email = 'member@example.com'").fetchone()
    assert _counts(source) == before  # the source was only read


def test_restore_refuses_without_a_file_and_backup_without_postgres(tmp_path):
    missing = _make("restore", env={})
    assert missing.returncode != 0 and "usage: make restore FILE=" in missing.stderr
    sqlite = _make("backup", env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert sqlite.returncode != 0 and "not PostgreSQL" in sqlite.stderr
