"""Paying in Chromium: a paid session booked, paid with Stripe's test card at localstripe, confirmed when its
signed webhook arrives (the page polls with htmx), the ticket shown; a declined card says why and keeps the hold."""

import threading

import pytest
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from tests import factories
from tests.bookings import builders
from tests.payments.conftest import localstripe, localstripe_url, webhooks_to  # noqa: F401 - fixtures

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def one_request_at_a_time(live_server):
    """Serve one request at a time, and let the test read the database only between requests.

    SQLite's in-memory test database is one connection shared by the server's threads: an htmx poll reading
    while localstripe's webhook writes makes the write fail ("database table is locked"), and localstripe does
    not redeliver (Stripe does, for three days; PostgreSQL has no such limit). The lock is the test's, not the app's.
    """
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    lock = threading.RLock()

    def serial(environ, start_response):
        with lock:
            result = app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                getattr(result, "close", lambda: None)()

    httpd.set_app(serial)
    yield lock
    httpd.set_app(app)


@pytest.fixture
def paid_session(orgs, live_server, webhooks_to, one_request_at_a_time):  # noqa: F811 - the fixture above
    webhooks_to(f"{live_server.url}/webhooks/stripe/")
    facility = builders.palace(orgs["city"], name="杭州市工人文化宫")
    return builders.session(builders.activity(facility, title="油画进阶班", price_fen=3000), capacity=5)


def book_and_open_payment(page, session):
    page.goto(f"/sessions/{session.pk}/book/")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_text("Payment pending", exact=True)).to_be_visible()
    page.get_by_test_id("pay").click()
    expect(page.get_by_text("TEST MODE").first).to_be_visible()
    expect(page.get_by_test_id("payment-amounts")).to_contain_text("¥30.00")


def pay_with(page, number: str):
    page.fill("input[name=card_number]", number)
    page.fill("input[name=exp_month]", "12")
    page.fill("input[name=exp_year]", "2030")
    page.fill("input[name=cvc]", "123")
    page.get_by_role("button", name="with the test card").click()


def test_pay_a_paid_session_with_the_test_card_and_see_the_ticket(new_page, orgs, paid_session,
                                                                  one_request_at_a_time):
    factories.member(organisation=orgs["unit"], email="payer@example.com")
    page = new_page(language="en")
    login(page, email="payer@example.com", password=factories.PASSWORD)
    book_and_open_payment(page, paid_session)
    pay_with(page, "4242 4242 4242 4242")
    # The page waits for Stripe's webhook (htmx polling) and then says so.
    expect(page.get_by_text("Payment confirmed.")).to_be_visible(timeout=20_000)
    page.get_by_role("link", name="Show my ticket").click()
    expect(page.locator(".qr-ticket svg")).to_be_visible()
    with one_request_at_a_time:
        booking = Booking.objects.get(member__user__email="payer@example.com")
    assert booking.status == BookingStatus.CONFIRMED
    expect(page.locator(".ticket-code")).to_have_text(booking.ticket_short_display)  # what staff type


def test_a_declined_card_shows_a_clear_message_and_keeps_the_hold(new_page, orgs, paid_session,
                                                                   one_request_at_a_time):
    factories.member(organisation=orgs["unit"], email="declined@example.com")
    page = new_page(language="en")
    login(page, email="declined@example.com", password=factories.PASSWORD)
    book_and_open_payment(page, paid_session)
    pay_with(page, "4000 0000 0000 0002")
    expect(page.get_by_role("alert")).to_contain_text("Your card was declined. Try another card or contact your bank.")
    expect(page.get_by_text("Your seat stays held until")).to_be_visible()
    expect(page.get_by_role("link", name="Try again")).to_be_visible()
    with one_request_at_a_time:
        booking = Booking.objects.get(member__user__email="declined@example.com")
    assert booking.status == BookingStatus.PENDING_PAYMENT
