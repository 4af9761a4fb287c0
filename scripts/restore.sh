#!/bin/sh
# make restore FILE=... [TARGET_DATABASE_URL=...]: restore a scripts/backup.sh dump into a database.
# Objects in the dump are dropped first and recreated (--clean --if-exists), owned by the connecting
# role (--no-owner), all in one transaction: a failed restore leaves the target as it was.
#   $1                   the .dump file
#   TARGET_DATABASE_URL  the database to restore into (an existing, e.g. freshly created, database);
#                        default DATABASE_URL. Stop web, worker and beat before restoring over a live one.
set -eu

file="${1:-}"
target="${TARGET_DATABASE_URL:-${DATABASE_URL:-}}"
[ -n "$file" ] || { echo "usage: make restore FILE=var/backups/<timestamp>.dump [TARGET_DATABASE_URL=...]" >&2; exit 2; }
[ -r "$file" ] || { echo "restore: cannot read $file" >&2; exit 2; }
case "$target" in
  postgres://*|postgresql://*) ;;
  *) echo "restore: set TARGET_DATABASE_URL (or DATABASE_URL) to a PostgreSQL URL" >&2; exit 2 ;;
esac
command -v pg_restore >/dev/null || { echo "restore: pg_restore not found (apt-get install postgresql-client)" >&2; exit 2; }

command -v psql >/dev/null || { echo "restore: psql not found (apt-get install postgresql-client)" >&2; exit 2; }

# The target's tables go first, then the dump is restored in one transaction. pg_restore --clean cannot do this
# once the ledger is partitioned (it drops each partition's inherited primary key and PostgreSQL refuses).
psql "$target" -q -v ON_ERROR_STOP=1 --single-transaction -c 'DROP SCHEMA IF EXISTS public CASCADE' \
  -c 'CREATE SCHEMA public' >/dev/null
pg_restore --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$target" "$file"
echo "restored $file"
