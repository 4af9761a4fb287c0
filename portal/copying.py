"""Inserting many rows fast: PostgreSQL COPY with ids taken from the table's sequence beforehand, so the
caller gets them back in order (to point the next table at them); bulk_create elsewhere (SQLite).

Rows are dicts of attribute names (`user_id`, not `user`) to plain values; every other column gets its
field default (a callable default, such as a random certificate code, is called per row), auto_now fields
the current time, nullable ones NULL. Runs inside the caller's transaction like any other query.
"""

from __future__ import annotations

import enum

from django.db import connection
from django.utils import timezone


def filter_in(queryset, field: str, values):
    """`queryset.filter(<field>__in=values)`, as `= ANY(%s)` with one array parameter on PostgreSQL: a batch of
    2,000 hashes is then one short statement instead of 2,000 placeholders spliced into it."""
    values = list(values)
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{field}__in": values})
    model = queryset.model
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field).column)}"
    return queryset.extra(where=[f"{column} = ANY(%s)"], params=[values])  # noqa: S610 - names from _meta, values bound


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def _fillers(model, now):
    """(attname, column, per-row callable or None, constant) for every concrete non-pk field."""
    out = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            out.append((field.attname, field.column, None, now))
        elif field.has_default() and callable(field.default):
            out.append((field.attname, field.column, field.default, None))
        else:  # the default, or what Django would store without one ("" for text, None when nullable)
            out.append((field.attname, field.column, None,
                        _plain(field.get_db_prep_save(field.get_default(), connection))))
    return out


def insert_rows(model, rows: list[dict]) -> list[int]:
    """Insert `rows` into `model`'s table and return their new primary keys, in order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        return [obj.pk for obj in model.objects.bulk_create([model(**row) for row in rows])]
    fillers = _fillers(model, timezone.now())
    table, pk = model._meta.db_table, model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [table, pk, len(rows)])
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join([quote(pk)] + [quote(column) for _a, column, _c, _v in fillers])
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for pk_value, row in zip(ids, rows, strict=True):
                copy.write_row([pk_value] + [  # values are plain (callers pass `.value` of choices)
                    row[attname] if attname in row else (make() if make else constant)
                    for attname, _column, make, constant in fillers])
    return ids
