"""Thin Celery tasks: each takes primary keys (or nothing) and calls a retry-safe service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def waitlist_offer(session_id: int) -> list[int]:
    return services.waitlist_offer_next(session_id=session_id)


@shared_task
def holds_expire() -> int:
    return services.holds_expire_due()


@shared_task
def offers_expire() -> int:
    return services.offers_expire_due()


@shared_task
def ballot_draw(session_id: int) -> list[int]:
    return services.ballot_draw(session_id=session_id)


@shared_task
def ballots_draw_due() -> int:
    due = services.ballots_due()
    for session_id in due:
        ballot_draw.delay(session_id)
    return len(due)


@shared_task
def no_shows_mark(session_id: int) -> int:
    return services.no_shows_mark(session_id=session_id)


@shared_task
def no_shows_mark_due() -> int:
    due = services.sessions_needing_no_shows()
    for session_id in due:
        no_shows_mark.delay(session_id)
    return len(due)


@shared_task
def reminders_send() -> int:
    return services.reminders_send()


@shared_task
def stay_holds_expire() -> int:
    return services.stay_holds_expire_due()
