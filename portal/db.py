"""Bounded database waits (lock_timeout, statement_timeout) and turning a timed-out wait into `Busy`.

Web processes get short limits from DATABASES OPTIONS (settings: DB_LOCK_TIMEOUT_MS,
DB_STATEMENT_TIMEOUT_MS); Celery worker processes switch to the longer TASK_DB_* limits when they start.
"""

from __future__ import annotations

import re
import sqlite3

from django.conf import settings
from django.db import OperationalError, connection, connections

from portal.errors import Busy

LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout (or NOWAIT) expired
QUERY_CANCELED = "57014"  # statement_timeout expired
_TIMEOUTS = re.compile(r"\s*-c\s*(lock_timeout|statement_timeout)=\S+")


def timeout_options(options: str, *, lock_ms: int, statement_ms: int) -> str:
    """libpq `options` with our two -c settings replacing any earlier ones (0 = no limit)."""
    rest = _TIMEOUTS.sub("", options or "").strip()
    return f"{rest} -c lock_timeout={lock_ms} -c statement_timeout={statement_ms}".strip()


def use_timeouts(*, lock_ms: int, statement_ms: int) -> None:
    """Apply to connections opened from now on in this process (open ones keep theirs until closed)."""
    for conn in connections.all(initialized_only=False):
        if conn.vendor == "postgresql":
            options = conn.settings_dict.setdefault("OPTIONS", {})
            options["options"] = timeout_options(options.get("options", ""), lock_ms=lock_ms,
                                                 statement_ms=statement_ms)


def use_task_timeouts(**_signal_kwargs) -> None:
    use_timeouts(lock_ms=settings.TASK_DB_LOCK_TIMEOUT_MS, statement_ms=settings.TASK_DB_STATEMENT_TIMEOUT_MS)


def is_busy(exc: BaseException) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in (LOCK_NOT_AVAILABLE, QUERY_CANCELED):
        return True
    return isinstance(cause, sqlite3.OperationalError) and "locked" in str(cause)


def raise_busy(execute, sql, params, many, context):
    """A connection execute wrapper: a timed-out wait surfaces as `Busy` where the query ran, so every error
    handler (API, HTML pages, views that already show conflicts) answers "busy, try again" instead of 500.
    The enclosing transaction.atomic() still rolls back, so nothing is half-written."""
    try:
        return execute(sql, params, many, context)
    except OperationalError as exc:
        if is_busy(exc):
            raise Busy() from exc
        raise


class BusyMiddleware:
    """Wraps every query of the request in `raise_busy`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with connection.execute_wrapper(raise_busy):
            return self.get_response(request)
