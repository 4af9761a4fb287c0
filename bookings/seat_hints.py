"""Cache hints that let a booking rush refuse "full" without building the booking query.

A hint is never an authority: seats are only ever taken by the conditional UPDATE in services/_common.py.
A hint only lets `booking_create` answer the refusal the database path would give, from the session as the
database path last read it (with its activity, facility and organisation) plus the member's own live rows.

Staleness is ruled out by generations rather than by deleting keys: every writer of a session's seats,
status, capacity, start or waitlist bumps the session's generation after its transaction commits, and any
saved activity, facility or organisation bumps one configuration generation. A hint is stored with the
generations read *before* the database read it came from, so a write committed in between always leaves
it unusable. Generations are random tokens, so a key that expired or was evicted never matches an old
hint. Hints also expire on their own (HINT_SECONDS) should an invalidation ever be lost.
"""

from __future__ import annotations

import copy
import logging
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from facilities.models import Facility, Venue
from portal.cache_invalidation import drop_now_and_after_commit
from portal.members.models import Organisation

from .models import Activity, Booking, Session

log = logging.getLogger(__name__)

HINT_SECONDS = 30
GENERATION_SECONDS = 24 * 3600
CONFIG_KEY = "seat-hint:config"


def _hint_key(session_id: int) -> str:
    return f"seat-hint:{session_id}"


def _gen_key(session_id: int) -> str:
    return f"seat-hint:gen:{session_id}"


@dataclass(frozen=True)
class Lookup:
    """What one cache round trip told about a session: its hint (the session as last read when full,
    or None) and the generations to store a new hint with."""

    session_id: int
    generations: tuple
    session: Session | None = None
    cache_ok: bool = True


def lookup(*, session_id: int) -> Lookup:
    """One get_many: the hint when it is still current, and the generations for a hint stored later."""
    keys = [_hint_key(session_id), _gen_key(session_id), CONFIG_KEY]
    try:
        found = cache.get_many(keys)
    except Exception:  # noqa: BLE001 - the cache is an optimisation: no cache, no hint, the database path
        log.warning("seat hints: cache unavailable", exc_info=True)
        return Lookup(session_id=session_id, generations=(None, None), cache_ok=False)
    generations = (found.get(keys[1]), found.get(keys[2]))
    hint = found.get(keys[0])
    if hint is not None and hint["generations"] == generations:
        return Lookup(session_id=session_id, generations=generations, session=hint["session"])
    return Lookup(session_id=session_id, generations=generations)


def remember_full(*, looked_up: Lookup, session: Session) -> None:
    """Store the session the database path just found full (its member-specific annotations left out)."""
    if not looked_up.cache_ok:
        return
    snapshot = copy.copy(session)
    for name in ("member_booking_status", "member_suspended"):
        snapshot.__dict__.pop(name, None)
    try:
        cache.set(_hint_key(looked_up.session_id), {"generations": looked_up.generations, "session": snapshot},
                  HINT_SECONDS)
    except Exception:  # noqa: BLE001, S110 - a hint that is not stored costs only the next request's query
        pass


def _bump(key: str) -> None:
    try:
        cache.set(key, secrets.token_hex(8), GENERATION_SECONDS)
    except Exception:  # noqa: BLE001 - the write has committed; a lost bump is bounded by HINT_SECONDS
        log.warning("seat hints: could not invalidate %s", key, exc_info=True)


def _bump_now_and_after_commit(key: str) -> None:
    drop_now_and_after_commit(lambda: _bump(key))


def session_changed(session_id: int) -> None:
    """The session's seats, status, capacity, start or waitlist change in this transaction: no hint read
    before it commits is used again."""
    _bump_now_and_after_commit(_gen_key(session_id))


def config_changed() -> None:
    """An activity, facility, venue or organisation changed: every session's hint is dropped."""
    _bump_now_and_after_commit(CONFIG_KEY)


# Model saves and deletes that change what a hint holds (the services' queryset UPDATEs call
# session_changed themselves: see services/_common.py and services/schedule.py).
def _on_session(sender, instance: Session, **kwargs) -> None:
    session_changed(instance.pk)


def _on_booking(sender, instance: Booking, **kwargs) -> None:
    # A new waitlist entry, a draw result or an admin edit: the session's queue or seats may have changed.
    session_changed(instance.session_id)


def _on_config(sender, instance, **kwargs) -> None:
    config_changed()


def connect() -> None:
    """Called from BookingsConfig.ready()."""
    for signal in (post_save, post_delete):
        signal.connect(_on_session, sender=Session, dispatch_uid=f"seat-hints-session-{signal is post_save}")
        signal.connect(_on_booking, sender=Booking, dispatch_uid=f"seat-hints-booking-{signal is post_save}")
        for model in (Activity, Facility, Venue, Organisation):
            signal.connect(_on_config, sender=model,
                           dispatch_uid=f"seat-hints-{model.__name__}-{signal is post_save}")
