"""Queue a Celery task from a service without importing the task module.

Tasks import services, never the reverse: a service names the task it wants run and this module looks it
up in the Celery registry (each app's `ready()` imports its tasks module, so the registry is complete in
every process). The task is sent only once the caller's transaction commits, so a rolled-back write
never triggers work, and the worker sees the committed rows.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def enqueue_on_commit(task_name: str, *args) -> None:
    transaction.on_commit(lambda: current_app.tasks[task_name].delay(*args))
