"""Member palace pages: list, palace week calendar, booking, ticket, cancel, offers (through bookings services)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from tests.bookings import builders

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def palace(orgs):
    facility = builders.palace(orgs["city"])
    builders.venue(facility)
    return facility


@pytest.fixture
def free_session(palace):
    return builders.session(builders.activity(palace, venue=palace.venues.first()), capacity=2)


def test_palace_list_and_search(client, palace, free_session):
    html = client.get(reverse("frontend:palaces")).content.decode()
    assert palace.name in html
    found = client.get(reverse("frontend:palaces"), {"q": "民族舞"}).content.decode()
    assert palace.name in found
    none = client.get(reverse("frontend:palaces"), {"q": "不存在的活动"}).content.decode()
    assert palace.name not in none
    assert client.get(reverse("frontend:palaces"), {"region": palace.region_code}).status_code == 200


def test_palace_week_calendar_shows_states(client, people, palace, free_session):
    url = reverse("frontend:palace_detail", args=[palace.pk])
    week = (timezone.localtime(free_session.start).date()).isoformat()
    anonymous = client.get(url, {"week": week}).content.decode()
    assert f'id="session-{free_session.pk}"' in anonymous
    assert reverse("account_login") in anonymous  # "log in to book"
    member = client_for(people["member"].user).get(url, {"week": week}).content.decode()
    assert reverse("frontend:session_book", args=[free_session.pk]) in member
    pending = client_for(people["pending"].user).get(url, {"week": week}).content.decode()
    assert reverse("frontend:session_book", args=[free_session.pk]) not in pending
    not_open = builders.session(free_session.activity, starts_in=timedelta(days=30))
    later = client_for(people["member"].user).get(
        url, {"week": timezone.localtime(not_open.start).date().isoformat()}).content.decode()
    assert f'id="session-{not_open.pk}"' in later
    assert reverse("frontend:session_book", args=[not_open.pk]) not in later
    assert client.get(url, {"week": "garbage"}).status_code == 200
    assert client.get(reverse("frontend:palace_detail", args=[99999])).status_code == 404


def test_book_a_free_session_open_the_ticket_and_cancel(people, free_session):
    client = client_for(people["member"].user)
    book_url = reverse("frontend:session_book", args=[free_session.pk])
    page = client.get(book_url)
    assert page.status_code == 200
    response = client.post(book_url, {"seats": "1"})
    booking = Booking.objects.get(member=people["member"])
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:booking_detail", args=[booking.pk])
    assert booking.status == "confirmed"
    ticket = client.get(response["Location"]).content.decode()
    assert "<svg" in ticket and booking.ticket_code in ticket
    assert reverse("frontend:calendar_feed") in ticket
    listing = client.get(reverse("frontend:booking_list")).content.decode()
    assert free_session.activity.title in listing
    # Booking the same session twice is refused with the rule's message, not a 500.
    again = client.post(book_url, {"seats": "1"})
    assert again.status_code in (200, 409)
    cancel_url = reverse("frontend:booking_cancel", args=[booking.pk])
    assert "alert--ok" in client.get(cancel_url).content.decode()  # the deadline is stated first
    assert client.post(cancel_url).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_other_members_booking_is_404(people, free_session):
    booking = services.booking_create(member=people["member"], session_id=free_session.pk)
    other = client_for(people["pending"].user)
    for name in ("booking_detail", "booking_cancel"):
        assert other.get(reverse(f"frontend:{name}", args=[booking.pk])).status_code == 404
    assert other.post(reverse("frontend:booking_cancel", args=[booking.pk])).status_code == 404
    assert other.post(reverse("frontend:offer_accept", args=[booking.pk])).status_code == 404


def test_unverified_member_cannot_book(people, free_session):
    client = client_for(people["pending"].user)
    page = client.get(reverse("frontend:session_book", args=[free_session.pk])).content.decode()
    assert "alert--warn" in page
    response = client.post(reverse("frontend:session_book", args=[free_session.pk]), {"seats": "1"})
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_full_session_waitlist_then_offer_accept(people, orgs, free_session, django_capture_on_commit_callbacks):
    first = factories_member(orgs)
    second = factories_member(orgs)
    b1 = services.booking_create(member=first, session_id=free_session.pk)
    services.booking_create(member=second, session_id=free_session.pk)
    client = client_for(people["member"].user)
    book_url = reverse("frontend:session_book", args=[free_session.pk])
    assert "waitlist" in client.get(book_url).content.decode()
    client.post(book_url, {"seats": "1", "waitlist": "on"})
    mine = Booking.objects.get(member=people["member"])
    assert mine.status == "waitlisted"
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(member=first, booking_id=b1.pk)  # the eager task offers the seat
    mine.refresh_from_db()
    assert mine.status == "offered"
    listing = client.get(reverse("frontend:booking_list")).content.decode()
    assert reverse("frontend:offer_accept", args=[mine.pk]) in listing
    home = client.get("/").content.decode()
    assert reverse("frontend:booking_detail", args=[mine.pk]) in home
    client.post(reverse("frontend:offer_accept", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.status == "confirmed"


def test_paid_session_ends_at_payment_pending(people, palace):
    paid = builders.session(builders.activity(palace, title="油画进阶班", price_fen=3000), capacity=5)
    client = client_for(people["member"].user)
    page = client.get(reverse("frontend:session_book", args=[paid.pk])).content.decode()
    assert "¥30.00" in page
    response = client.post(reverse("frontend:session_book", args=[paid.pk]), {"seats": "1"}, follow=True)
    assert "alert--warn" in response.content.decode()
    assert Booking.objects.get(member=people["member"]).status == "pending_payment"


def test_calendar_feed_page(people):
    client = client_for(people["member"].user)
    html = client.get(reverse("frontend:calendar_feed")).content.decode()
    assert "webcal://" in html
    assert client.post(reverse("frontend:calendar_feed"), {"action": "rotate"}).status_code == 302
    assert client.post(reverse("frontend:calendar_feed"), {"action": "revoke"}).status_code == 302


def factories_member(orgs):
    from tests import factories

    return factories.member(organisation=orgs["unit"])


def test_ballot_session_registers_interest(people, palace):
    ballot = builders.session(builders.activity(palace, title="新年音乐会", ballot=True), capacity=2)
    client = client_for(people["member"].user)
    url = reverse("frontend:session_book", args=[ballot.pk])
    client.post(url, {"seats": "1"})
    booking = Booking.objects.get(member=people["member"])
    assert booking.status == "interest"
    html = client.get(reverse("frontend:booking_list")).content.decode()
    assert "新年音乐会" in html


def test_suspension_is_shown_with_its_end_date(people):
    from bookings.models import Suspension

    now = timezone.now()
    Suspension.objects.create(member=people["member"], starts_at=now, ends_at=now + timedelta(days=30),
                              reason="3 no-shows")
    html = client_for(people["member"].user).get(reverse("frontend:booking_list")).content.decode()
    assert "alert--err" in html
    assert timezone.localtime(now + timedelta(days=30)).strftime("%Y-%m-%d") in html
