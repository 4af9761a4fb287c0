#!/bin/sh
# make restore FILE=... [TARGET_DATABASE_URL=...]: restore a scripts/backup.sh dump into a database.
# The target's public schema is dropped and the dump replayed, owned by the connecting role (--no-owner),
# all in one transaction: a failed restore leaves the target as it was.
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

# One transaction drops the target's schema and replays the dump as SQL, so a failed restore leaves the target as
# it was. (pg_restore --clean cannot be used: the partitioned ledger's inherited keys refuse to be dropped one by one.)
# If pg_restore itself fails part-way, the statement after it fails too, so psql rolls everything back.
{ echo 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;'
  pg_restore --no-owner --no-privileges -f - "$file" || echo 'SELECT pg_restore_failed_so_roll_back();'
} | psql "$target" -q -v ON_ERROR_STOP=1 --single-transaction >/dev/null
echo "restored $file"
