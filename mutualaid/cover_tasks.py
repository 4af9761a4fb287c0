"""Thin periodic tasks of cover: expiry after the term and renewal reminders (both retry-safe services)."""

from celery import shared_task

from . import services


@shared_task
def enrolments_expire() -> int:
    return services.enrolments_expire_due()


@shared_task
def renewal_reminders() -> int:
    return services.renewal_reminders_send()
