#!/bin/sh
# Container entrypoint: one image, several roles. The first argument picks the role:
#   web          apply migrations (unless DJANGO_MIGRATE_ON_START=false), then gunicorn portal.wsgi
#   worker       celery -A portal worker
#   beat         celery -A portal beat (run exactly one)
#   manage ...   python manage.py ...   (e.g. `manage createsuperuser`)
#   healthcheck web|worker|beat         used by HEALTHCHECK and compose
# Anything else is executed as given.
set -eu
cd "$(dirname "$0")/.."

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  web)
    if [ "${DJANGO_MIGRATE_ON_START:-true}" = "true" ]; then
      # No statement limit for migrations (a large table may take minutes); the lock limit stays, so a
      # migration queued behind a long transaction fails fast instead of stalling every request behind it.
      DB_STATEMENT_TIMEOUT_MS=0 python manage.py migrate --noinput
    fi
    exec gunicorn portal.wsgi:application \
      --bind "0.0.0.0:${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-3}" \
      --timeout "${GUNICORN_TIMEOUT:-30}" \
      --graceful-timeout 30 \
      --max-requests 2000 --max-requests-jitter 200 \
      --worker-tmp-dir /dev/shm \
      --access-logfile - \
      "$@"
    ;;
  worker)
    exec celery -A portal worker --loglevel "${LOG_LEVEL:-INFO}" \
      --concurrency "${CELERY_WORKER_CONCURRENCY:-2}" "$@"
    ;;
  beat)
    # The schedule file is scratch state: the schedule itself is CELERY_BEAT_SCHEDULE in settings.
    exec celery -A portal beat --loglevel "${LOG_LEVEL:-INFO}" \
      --schedule /tmp/celerybeat-schedule "$@"
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  healthcheck)
    case "${1:-web}" in
      web)
        # GET /healthz on gunicorn with a Host header from ALLOWED_HOSTS (Django rejects unknown hosts).
        exec python - <<'PY'
import os
import sys
import urllib.request

hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
host = next((h for h in hosts if h and h != "*"), "localhost")
url = "http://127.0.0.1:%s/healthz" % os.environ.get("PORT", "8000")
request = urllib.request.Request(url, headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=8) as response:
        print(response.read().decode())
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # 503 (unhealthy), refused connection, timeout
    print("healthz failed: %s" % exc)
    sys.exit(1)
PY
        ;;
      worker)
        exec celery -A portal inspect ping --destination "celery@$(cat /proc/sys/kernel/hostname)" --timeout 10
        ;;
      beat)
        # beat has no ping; check the process can reach the broker it schedules onto.
        exec python -c "from portal.celery import app; app.connection_for_write().ensure_connection(max_retries=1, timeout=5)"
        ;;
      *)
        echo "usage: healthcheck web|worker|beat" >&2
        exit 2
        ;;
    esac
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
