"""Dropping a cache entry that caches database rows, so no reader keeps the old rows past a write."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction


def drop_now_and_after_commit(drop: Callable[[], None]) -> None:
    """Run `drop` now and again once the caller's transaction commits (at once when there is none).

    Now: the transaction's own later reads, and a test's that never commits, see no stale entry. After the
    commit: a reader between the write and its commit read the old rows and may have cached them again."""
    drop()
    transaction.on_commit(drop)
