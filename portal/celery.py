import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_process_init.connect
def _task_database_timeouts(**kwargs):
    # Tasks may legitimately run and wait longer than a web request (TASK_DB_* settings). Sent in every
    # prefork child, and by the solo pool in the worker process itself.
    from portal.db import use_task_timeouts

    use_task_timeouts()
