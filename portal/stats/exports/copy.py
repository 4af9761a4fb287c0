"""The PostgreSQL fast path for CSV exports: rows stream from `COPY (SELECT ...) TO STDOUT WITH CSV` with the
cell formatting and the formula neutralisation done in SQL, byte for byte what `portal.exports.write_csv`
writes for the same rows (tests/stats/test_export_copy.py compares the two).

How the bytes match:
- text cells: the same prefix `'` as `portal.exports.neutralise` for a first character in FORMULA_TRIGGERS
  (NUL cannot occur in PostgreSQL text); empty text and NULL both become NULL, which COPY writes as an empty
  unquoted field, as the csv module writes "";
- quoting: COPY's CSV quotes a field holding `,`, `"`, CR or LF and doubles quotes, as csv.QUOTE_MINIMAL does
  (COPY's one other case, a lone `\\.`, applies only to one-column output);
- booleans as TRUE/FALSE, dates as YYYY-MM-DD, integers as digits; choice labels translated in Python and
  passed as parameters;
- rows end in CRLF like the csv module's: COPY ends each row in LF and libpq hands over one row at a time, so
  each row's last byte is replaced (in bulk when no row of a chunk holds an embedded line break).
The header (with the BOM) is written by the Python writer, so translated headers stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

import psycopg
from django.db import connections, router

from portal.exports import FORMULA_TRIGGERS, neutralise, write_csv

CHUNK_ROWS = 5000
# The triggers PostgreSQL text can hold (it has no NUL), as SQL string literals.
_TRIGGERS_SQL = ", ".join("'" + ch.replace("'", "''") + "'" for ch in FORMULA_TRIGGERS if ch != "\x00")


@dataclass(frozen=True)
class Column:
    """One output column: the alias of a value in the queryset and how it is written."""

    alias: str
    kind: str = "text"  # text | date | bool | int | label
    labels: Sequence[tuple[str, Any]] = ()  # for "label": (stored value, label) pairs


@dataclass
class CopySource:
    """A queryset of `.values(alias=...)` rows, ordered, and its columns in order."""

    queryset: Any
    columns: Sequence[Column]


def copy_available(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def _neutralised(expr: str) -> str:
    return f"NULLIF(CASE WHEN left({expr}, 1) IN ({_TRIGGERS_SQL}) THEN '''' || {expr} ELSE {expr} END, '')"


def _cell(column: Column, params: list) -> str:
    ref = f't."{column.alias}"'
    if column.kind == "date":
        return f"to_char({ref}, 'YYYY-MM-DD')"
    if column.kind == "bool":
        return f"CASE WHEN {ref} THEN 'TRUE' WHEN NOT {ref} THEN 'FALSE' END"
    if column.kind == "int":
        return f"{ref}::text"
    if column.kind == "label":
        # Labels are neutralised here in Python (as parameters they must not be repeated in the SQL).
        whens = []
        for value, label in column.labels:
            whens.append("WHEN %s THEN %s")
            params += [value, neutralise(str(label))]
        return f"NULLIF(CASE {ref}::text {' '.join(whens)} ELSE {_neutralised(f'{ref}::text')} END, '')"
    return _neutralised(f"{ref}::text")


def copy_statement(source: CopySource) -> tuple[str, list]:
    inner, inner_params = source.queryset.query.sql_with_params()
    params: list = []
    cells = ", ".join(_cell(column, params) for column in source.columns)
    # The subquery keeps its ORDER BY: a plain projection over it streams rows in that order.
    return (f"COPY (SELECT {cells} FROM ({inner}) t) TO STDOUT WITH (FORMAT csv)",  # noqa: S608 - our SQL
            [*params, *inner_params])


def _crlf(rows: list[bytes]) -> bytes:
    data = b"".join(rows)
    if data.count(b"\n") == len(rows):  # no embedded line breaks: every LF ends a row
        return data.replace(b"\n", b"\r\n")
    return b"".join(row[:-1] + b"\r\n" for row in rows)


def copy_csv(fileobj: IO[bytes], header: Sequence[Any], source: CopySource, *,
             on_rows: Callable[[int], None] | None = None) -> int:
    """Write the BOM and header, then every row of `source` through COPY; returns the number of rows.
    `on_rows(count so far)` is called after each chunk of rows (for progress)."""
    write_csv(fileobj, header, ())
    sql, params = copy_statement(source)
    connection = connections[source.queryset.db or router.db_for_read(source.queryset.model)]
    connection.ensure_connection()
    count = 0
    pending: list[bytes] = []
    # COPY takes no server-side parameters: a client-side binding cursor on Django's own connection.
    with psycopg.ClientCursor(connection.connection) as cursor, cursor.copy(sql, params) as copy:
        for row in copy:
            pending.append(bytes(row))
            if len(pending) == CHUNK_ROWS:
                fileobj.write(_crlf(pending))
                count += len(pending)
                pending = []
                if on_rows:
                    on_rows(count)
        if pending:
            fileobj.write(_crlf(pending))
            count += len(pending)
    return count
