"""Monthly partitions of the service ledger on PostgreSQL (SQLite keeps one table).

The ledger is `PARTITION BY RANGE (date)`, one partition per month plus a DEFAULT partition that catches a
date no partition covers yet, so an insert never fails for want of a partition. `partitions_ensure()` (beat,
monthly) adds the next months ahead of time; a month caught in DEFAULT meanwhile stays there and is still
counted (the planner scans DEFAULT too). The primary key is (id, date): a partitioned table's unique indexes
must include the partition key; once-per-source lives in the unpartitioned ServiceSource table instead.
"""

from __future__ import annotations

from datetime import date

from django.db import connection

TABLE = "stats_servicerecord"


def month_starts(first: date, last: date) -> list[date]:
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return out


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def partition_sql(month: date) -> str:
    name = f"{TABLE}_y{month.year}m{month.month:02d}"
    return (f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {TABLE} "
            f"FOR VALUES FROM ('{month.isoformat()}') TO ('{_next_month(month).isoformat()}')")


def partitions_ensure(*, months_ahead: int = 12, today: date | None = None) -> int:
    """Create the partitions of this month and the next `months_ahead` (PostgreSQL; elsewhere nothing)."""
    if connection.vendor != "postgresql":
        return 0
    today = today or date.today()
    last = today
    for _n in range(months_ahead):
        last = _next_month(last)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                       "WHERE c.relname = %s", [TABLE])
        if cursor.fetchone() is None:
            return 0
        months = month_starts(today, last)
        for month in months:
            cursor.execute(partition_sql(month))
    return len(months)


def partition_ledger(schema_editor) -> None:
    """Turn the ledger into a monthly partitioned table, keeping its rows, indexes, checks and keys."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [TABLE])
        indexes = [(n, d) for n, d in cursor.fetchall() if not n.endswith("_pkey") and "UNIQUE" not in d]
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_unpartitioned")
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {TABLE}_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
                       f"PARTITION BY RANGE (date)")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id DROP DEFAULT")
        cursor.execute(f"CREATE SEQUENCE {TABLE}_partitioned_id_seq OWNED BY {TABLE}.id")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_partitioned_id_seq')")
        cursor.execute(f"SELECT setval('{TABLE}_partitioned_id_seq', COALESCE((SELECT MAX(id) FROM "  # noqa: S608
                       f"{TABLE}_unpartitioned), 0) + 1, false)")
        cursor.execute(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (id, date)")
        for column, target in (("facility_id", "facilities_facility"),
                               ("organisation_id", "members_organisation"), ("source_type_id", "django_content_type")):
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_{column}_fk FOREIGN KEY ({column}) "
                           f"REFERENCES {target} (id) DEFERRABLE INITIALLY DEFERRED")
        for month in month_starts(date(2020, 1, 1), date(2030, 12, 1)):
            cursor.execute(partition_sql(month))
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_unpartitioned")  # noqa: S608 - our names
        cursor.execute(f"DROP TABLE {TABLE}_unpartitioned")
        for _name, definition in indexes:  # same names, so later migrations find them
            cursor.execute(definition.replace(f"{TABLE}_unpartitioned", TABLE).replace(" ONLY ", " "))
