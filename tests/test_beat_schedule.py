"""Every periodic sweep names a task that exists, and every kind of deferred work has a sweep."""

from django.conf import settings

from portal.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    missing = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
               if entry["task"] not in app.tasks}
    assert not missing


def test_each_kind_of_deferred_work_has_a_sweep():
    swept = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "bookings.tasks.holds_expire",  # unpaid holds give their seats back
        "bookings.tasks.offers_expire",  # lapsed waitlist offers; free seats meeting a waitlist
        "bookings.tasks.stay_holds_expire",  # unpaid sanatorium stays give their nights back
        "portal.notifications.tasks.deliver_due_messages",  # email/SMS copies whose task was lost
        "mutualaid.cover_tasks.enrolments_expire",  # cover ends with the term
        "mutualaid.cover_tasks.renewal_reminders",  # 30 days before a term ends
        "portal.stats.tasks.rollups_refresh",  # days whose ledger changed and whose refresh task was lost
        "portal.stats.tasks.exports_purge",  # expired export files are deleted
        "portal.stats.tasks.exports_resume_stalled",  # exports whose worker died or whose task was lost
    } <= swept


def test_the_broker_hands_a_dead_workers_task_on_only_after_the_longest_task():
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert app.conf.broker_transport_options["visibility_timeout"] >= 1800
