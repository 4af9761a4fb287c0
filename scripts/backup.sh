#!/bin/sh
# make backup: dump the PostgreSQL database at DATABASE_URL into var/backups/<UTC timestamp>.dump
# (pg_dump custom format, restorable with scripts/restore.sh). Prints the file's path.
#   DATABASE_URL   postgres://user:password@host:5432/name (required)
#   BACKUP_DIR     where to write (default var/backups)
set -eu

url="${DATABASE_URL:-}"
case "$url" in
  postgres://*|postgresql://*) ;;
  "") echo "backup: set DATABASE_URL=postgres://user:password@host:5432/name" >&2; exit 2 ;;
  *) echo "backup: DATABASE_URL is not PostgreSQL; an SQLite database is one file: copy it" >&2; exit 2 ;;
esac
command -v pg_dump >/dev/null || { echo "backup: pg_dump not found (apt-get install postgresql-client)" >&2; exit 2; }

dir="${BACKUP_DIR:-var/backups}"
umask 077  # the dump holds members' personal data: readable by its owner only
mkdir -p "$dir"
file="$dir/$(date -u +%Y%m%dT%H%M%SZ).dump"
# Written under a temporary name first, so a failed or interrupted dump never looks like a backup.
pg_dump --format=custom --file="$file.partial" --dbname="$url"
mv "$file.partial" "$file"
echo "$file"
