"""Thin Celery tasks: each takes primary keys (or nothing) and calls a retry-safe service.

Roster import: both tasks are acks_late (settings), so a worker killed mid-way leaves the message to be
redelivered; the services make a second run harmless. Arguments are primary keys only: no resident ID
ever travels through the broker or the task log.
"""

from celery import shared_task
from django.db import DatabaseError

from .roster import services as roster_services


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), max_retries=3, retry_backoff=5)
def roster_validate(roster_id: int) -> str | None:
    roster = roster_services.roster_validate(roster_id=roster_id)
    return roster.status if roster else None


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), max_retries=3, retry_backoff=5)
def roster_commit(roster_id: int) -> str:
    return roster_services.roster_commit(roster_id=roster_id).status


@shared_task
def roster_files_purge() -> int:
    """Hourly: stalled imports are queued again, then files past their retention are deleted."""
    roster_services.rosters_resume_stalled()
    return roster_services.roster_files_purge()
