"""The pages tell the same story as the booking rules: waitlist places, free places, deadlines, holds."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking, Session
from tests import factories
from tests.bookings import builders

from .conftest import client_for

pytestmark = pytest.mark.django_db

ALREADY_BOOKED = ("已预约", "您已预约过该场次")


@pytest.fixture
def palace(orgs):
    facility = builders.palace(orgs["city"])
    builders.venue(facility)
    return facility


@pytest.fixture
def full_session(palace, orgs):
    session = builders.session(builders.activity(palace, venue=palace.venues.first()), capacity=1)
    services.booking_create(member=factories.member(organisation=orgs["unit"]), session_id=session.pk)
    return session


def test_a_waitlisted_member_sees_their_place_not_already_booked(people, orgs, full_session, palace):
    services.booking_create(member=factories.member(organisation=orgs["unit"]), session_id=full_session.pk,
                            waitlist=True)
    booking = services.booking_create(member=people["member"], session_id=full_session.pk, waitlist=True)
    client = client_for(people["member"].user)
    week = timezone.localtime(full_session.start).date().isoformat()
    pages = {
        "calendar": client.get(reverse("frontend:palace_detail", args=[palace.pk]), {"week": week}),
        "book": client.get(reverse("frontend:session_book", args=[full_session.pk])),
        "my bookings": client.get(reverse("frontend:booking_list")),
        "booking": client.get(reverse("frontend:booking_detail", args=[booking.pk])),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert 'data-queue-place="2"' in html or "2" in _alert(html), name
        assert not any(text in html for text in ALREADY_BOOKED), name
    assert 'data-queue-place="2"' in pages["calendar"].content.decode()
    assert 'data-queue-place="2"' in pages["my bookings"].content.decode()


def _alert(html: str) -> str:
    start = html.find('role="alert"')
    return html[start:start + 300] if start >= 0 else ""


def test_the_console_numbers_the_waitlist_by_waitlist_position(manager_client, orgs, full_session, people):
    services.booking_create(member=people["member"], session_id=full_session.pk, waitlist=True)
    html = manager_client.get(reverse("frontend:console:session_detail", args=[full_session.pk])).content.decode()
    assert 'data-queue-place="1"' in html and "#2" not in html
    assert 'data-booked="1" data-waitlisted="1"' in html  # the cancel warning counts them apart


@pytest.fixture
def manager_client(people):
    return client_for(people["palace"])


def test_a_seat_the_waitlist_goes_first_for_is_not_offered_as_a_free_place(people, orgs, full_session, palace):
    services.booking_create(member=factories.member(organisation=orgs["unit"]), session_id=full_session.pk,
                            waitlist=True)
    holder = Booking.objects.get(session=full_session, status="confirmed")
    services.booking_cancel(member=holder.member, booking_id=holder.pk)  # the offer task has not run yet
    client = client_for(people["member"].user)
    week = timezone.localtime(full_session.start).date().isoformat()
    calendar = client.get(reverse("frontend:palace_detail", args=[palace.pk]), {"week": week}).content.decode()
    assert "剩余1个名额" not in calendar
    book = client.get(reverse("frontend:session_book", args=[full_session.pk])).content.decode()
    assert 'data-testid="places">0 / 1' in book


def test_the_booking_page_does_not_promise_free_cancellation_after_the_deadline(people, palace):
    late = builders.session(builders.activity(palace, title="晚间课", cancel_hours_before=24),
                            starts_in=timedelta(hours=5))
    client = client_for(people["member"].user)
    book = client.get(reverse("frontend:session_book", args=[late.pk])).content.decode()
    assert 'data-testid="free-cancel" data-over' in book and "此后取消计为逾期取消" not in book
    booking = services.booking_create(member=people["member"], session_id=late.pk)
    detail = client.get(reverse("frontend:booking_detail", args=[booking.pk])).content.decode()
    assert 'data-testid="free-cancel" data-over' in detail and "前可免费取消" not in detail
    early = builders.session(late.activity, starts_in=timedelta(days=3))
    assert 'data-testid="free-cancel">' in client.get(reverse("frontend:session_book", args=[early.pk])).content \
        .decode()


def test_paid_sessions_say_the_seat_is_held_for_fifteen_minutes(people, palace, settings):
    settings.BOOKING_HOLD_MINUTES = 15
    paid = builders.session(builders.activity(palace, title="油画进阶班", price_fen=3000))
    client = client_for(people["member"].user)
    book = client.get(reverse("frontend:session_book", args=[paid.pk])).content.decode()
    assert 'data-testid="paid-hold"' in book and "15" in book.split('data-testid="paid-hold"')[1][:300]
    response = client.post(reverse("frontend:session_book", args=[paid.pk]), {"seats": "1"})
    booking = Booking.objects.get(member=people["member"])
    detail = client.get(response["Location"]).content.decode()
    assert "工会将与您联系" not in detail and 'data-testid="payment-hold"' in detail
    # A held seat is not in the member's calendar as a confirmed event: no "add to calendar" for it.
    assert reverse("frontend:booking_ics", args=[booking.pk]) not in detail
    assert client.get(reverse("frontend:booking_ics", args=[booking.pk])).status_code == 404


def test_the_calendar_opens_on_the_next_sessions_week_on_a_sunday_evening(client, palace, time_machine):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    sunday = datetime(2025, 6, 15, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to(sunday, tick=False)
    tuesday = builders.session(builders.activity(palace), starts_in=timedelta(days=2, hours=-1))
    html = client.get(reverse("frontend:palace_detail", args=[palace.pk])).content.decode()
    assert f'id="session-{tuesday.pk}"' in html and 'data-testid="jumped"' in html
    # Sessions three weeks ahead: the calendar opens on that week, not on an empty one.
    Session.objects.filter(pk=tuesday.pk).update(start=tuesday.start + timedelta(days=21),
                                                 end=tuesday.end + timedelta(days=21))
    html = client.get(reverse("frontend:palace_detail", args=[palace.pk])).content.decode()
    assert f'id="session-{tuesday.pk}"' in html
    # On a Wednesday with a session later this week, it opens on this week as before.
    time_machine.move_to(datetime(2025, 7, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    thursday = builders.session(palace.activities.first(), starts_in=timedelta(days=1))
    html = client.get(reverse("frontend:palace_detail", args=[palace.pk])).content.decode()
    assert f'id="session-{thursday.pk}"' in html and 'data-testid="jumped"' not in html
