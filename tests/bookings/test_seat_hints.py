"""The booking rush's fast "full" answer (bookings/seat_hints.py): the same answer as the database path for
every kind of member and request, and gone after every writer that may free a seat or change the answer."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from bookings import rules, seat_hints, services
from bookings.models import Booking, BookingStatus, Suspension
from portal.members.models import Role
from tests import factories
from tests.conftest import staff_client

from . import builders


def _client(member) -> APIClient:
    client = APIClient()
    client.force_authenticate(member.user)
    return client


def _post(member, session, **body):
    response = _client(member).post("/api/v1/bookings/", {"session": session.pk, **body}, format="json")
    return response.status_code, response.json()


def _answer(member, session, body):
    """The API's answer; anything it wrote is rolled back, so the same request can be asked again."""
    with transaction.atomic():
        status, data = _post(member, session, **body)
        transaction.set_rollback(True)
    if status == 201:  # a booking's ids and ticket codes differ between attempts; its kind does not
        return status, data["status"], data["queue_place"]
    return status, data


def _prime(session, primer) -> None:
    assert _post(primer, session)[0] == 409
    assert seat_hints.lookup(session_id=session.pk).session is not None, "the refusal left a hint"


VARIANTS = {
    "no waitlist": {"waitlist_enabled": False},
    "waitlist": {"waitlist_enabled": True},
    "waitlist with a queue": {"waitlist_enabled": True, "queue": True},
    "members only": {"waitlist_enabled": False, "members_only": True},
    "weekly limit": {"waitlist_enabled": True, "max_active_per_week": 1},
    "paid": {"waitlist_enabled": False, "price_fen": 2000},
}
MEMBERS = ["plain", "unverified", "suspended", "holder", "other union", "waitlisted", "at weekly limit"]
BODIES = [{"seats": 1}, {"seats": 1, "waitlist": True}, {"seats": 0}, {"seats": 3}]


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_fast_answer_is_the_database_answer(variant, orgs, facility):
    fields = dict(VARIANTS[variant])
    queue = fields.pop("queue", False)
    act = builders.activity(facility, **fields)
    full = builders.session(act, capacity=1)
    unit = orgs["unit"]
    holder = factories.member(organisation=unit)
    services.booking_create(member=holder, session_id=full.pk)
    people = {
        "plain": factories.member(organisation=unit),
        "unverified": factories.member(organisation=unit, verified=False),
        "suspended": factories.member(organisation=unit),
        "holder": holder,
        "other union": factories.member(organisation=orgs["sibling_unit"]),
        "waitlisted": factories.member(organisation=unit),
        "at weekly limit": factories.member(organisation=unit),
    }
    now = timezone.now()
    Suspension.objects.create(member=people["suspended"], starts_at=now - timedelta(days=1),
                              ends_at=now + timedelta(days=9), reason="三次未到场")
    if act.waitlist_enabled:
        services.booking_create(member=people["waitlisted"], session_id=full.pk, waitlist=True)
        if not queue:
            Booking.objects.filter(member=people["waitlisted"], session=full).update(status=BookingStatus.DECLINED)
    week = rules.local_week(full.start)
    other_start = full.start + timedelta(minutes=5)
    if rules.local_week(other_start) != week:
        other_start = full.start - timedelta(minutes=5)
    same_week = builders.session(act, capacity=5, starts_in=other_start - timezone.now())
    services.booking_create(member=people["at weekly limit"], session_id=same_week.pk)
    primer = factories.member(organisation=unit)

    for who in MEMBERS:
        for body in BODIES:
            cache.clear()
            from_database = _answer(people[who], full, body)
            _prime(full, primer)
            from_hint = _answer(people[who], full, body)
            assert from_hint == from_database, (who, body)


def _full_session(facility, **fields):
    act = builders.activity(facility, **fields)
    session = builders.session(act, capacity=1)
    return act, session


def _refused_then_hinted(session, member) -> None:
    status, _data = _post(member, session)
    assert status == 409
    assert seat_hints.lookup(session_id=session.pk).session is not None


@pytest.fixture
def rush(facility, make_member):
    """A full session of a free activity without waitlist, its holder, and a member refused "full"."""
    act, session = _full_session(facility, waitlist_enabled=False)
    holder = make_member()
    booking = services.booking_create(member=holder, session_id=session.pk)
    late = make_member()
    _refused_then_hinted(session, late)
    return {"activity": act, "session": session, "holder": holder, "booking": booking, "late": late}


def test_a_cancellation_gives_the_next_member_the_seat(rush):
    services.booking_cancel(member=rush["holder"], booking_id=rush["booking"].pk)
    assert _post(rush["late"], rush["session"])[0] == 201


def test_a_capacity_increase_gives_the_next_member_a_seat(rush, orgs):
    manager = staff_client(factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER))
    assert manager.post(f"/api/v1/staff/sessions/{rush['session'].pk}/capacity/", {"capacity": 2},
                        format="json").status_code == 200
    assert _post(rush["late"], rush["session"])[0] == 201


def test_a_cancelled_session_says_cancelled_not_full(rush, orgs):
    manager = staff_client(factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER))
    assert manager.post(f"/api/v1/staff/sessions/{rush['session'].pk}/cancel/", {"reason": "场馆维修"},
                        format="json").status_code == 200
    status, data = _post(rush["late"], rush["session"])
    assert status == 409 and data["detail"] == str(rules.REASONS["cancelled"])


def test_an_unpublished_activity_says_so_not_full(rush, orgs):
    rush["activity"].published = False
    rush["activity"].save()
    status, data = _post(rush["late"], rush["session"])
    assert status == 409 and data["detail"] == str(rules.REASONS["unpublished"])


def test_a_suspension_after_the_hint_still_wins(rush):
    now = timezone.now()
    Suspension.objects.create(member=rush["late"], starts_at=now, ends_at=now + timedelta(days=3), reason="未到场")
    status, _data = _post(rush["late"], rush["session"])
    assert status == 403


def test_an_expired_unpaid_hold_gives_the_next_member_the_seat(facility, make_member):
    act, session = _full_session(facility, waitlist_enabled=False, price_fen=3000)
    held = services.booking_create(member=make_member(), session_id=session.pk)
    late = make_member()
    _refused_then_hinted(session, late)
    assert services.hold_expire(booking_id=held.pk, now_due=True)
    status, data = _post(late, session)
    assert status == 201 and data["status"] == BookingStatus.PENDING_PAYMENT


def test_a_declined_offer_gives_the_seat_back(facility, make_member):
    act, session = _full_session(facility, waitlist_enabled=True)
    holder = make_member()
    booking = services.booking_create(member=holder, session_id=session.pk)
    waiting = make_member()
    queued = services.booking_create(member=waiting, session_id=session.pk, waitlist=True)
    late = make_member()
    _refused_then_hinted(session, late)
    services.booking_cancel(member=holder, booking_id=booking.pk)
    assert services.waitlist_offer_next(session_id=session.pk) == [queued.pk]
    status, data = _post(late, session)
    assert status == 409 and data["detail"] == "该场次已约满，您可以加入候补。"
    services.offer_decline(member=waiting, booking_id=queued.pk)
    # The seat is free again; nobody is queued any more, so the next member takes it.
    assert _post(late, session)[0] == 201


def test_joining_the_waitlist_is_never_answered_from_the_hint(facility, make_member):
    act, session = _full_session(facility, waitlist_enabled=True)
    services.booking_create(member=make_member(), session_id=session.pk)
    late = make_member()
    _refused_then_hinted(session, late)
    status, data = _post(late, session, waitlist=True)
    assert status == 201 and data["status"] == BookingStatus.WAITLISTED and data["queue_place"] == 1
    # The queue now goes first: the next refusal says so, hint or not.
    status, data = _post(make_member(), session)
    assert status == 409 and "候补" in data["detail"]


def test_a_session_with_room_is_never_refused_from_a_hint(rush, make_member):
    """A hint left over from a full moment: once there is room, the database path books."""
    services.booking_cancel(member=rush["holder"], booking_id=rush["booking"].pk)
    assert _post(rush["late"], rush["session"])[0] == 201
    assert _post(make_member(), rush["session"])[0] == 409


def test_a_hinted_refusal_never_reads_the_session_row(rush, make_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        status, data = _post(make_member(), rush["session"])
    assert status == 409 and data["detail"] == str(rules.REASONS["full"])
    assert not [q for q in queries.captured_queries if 'FROM "bookings_session"' in q["sql"]]
