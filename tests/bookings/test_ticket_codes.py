"""Ticket codes: the QR keeps 96 random bits; staff can type a short, case-insensitive form without
ambiguous characters, at the API and in the console."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking, BookingStatus, Session
from bookings.tickets import ALPHABET, normalise_short
from portal.stats.models import ServiceRecord
from tests.frontend.conftest import client_for

from . import builders


def test_every_ticket_has_a_short_form_without_ambiguous_characters(session, make_member):
    bookings = [services.booking_create(member=make_member(), session_id=session.pk) for _ in range(3)]
    for booking in bookings:
        assert len(booking.ticket_code) == 16  # the QR's 96 bits, unchanged
        assert len(booking.ticket_short) == 8 and set(booking.ticket_short) <= set(ALPHABET)
        assert not set(booking.ticket_short) & set("ILOU")
        assert booking.ticket_short_display == f"{booking.ticket_short[:4]}-{booking.ticket_short[4:]}"
    assert len({b.ticket_short for b in bookings}) == 3


@pytest.mark.parametrize("typed,stored", [
    ("7KQ4-M2XD", "7KQ4M2XD"), (" 7kq4 m2xd ", "7KQ4M2XD"), ("7kq4–m2xd", "7KQ4M2XD"), ("7KQ4－M2XD", "7KQ4M2XD"),
    ("7kq4-m2xo", "7KQ4M2X0"), ("iL00-0000", "11000000"), ("7KQ4-M2X", None), ("7KQ4-M2XDZ", None),
    ("7KQ4-M2XU", None), ("", None), ("7KQ4_M2XD", None)])
def test_typed_codes_are_normalised(typed, stored):
    assert normalise_short(typed) == stored


def test_the_check_in_api_takes_the_typed_form(free_activity, member, manager_api):
    session = builders.session(free_activity, starts_in=timedelta(hours=2))
    booking = services.booking_create(member=member, session_id=session.pk)
    typed = f" {booking.ticket_short[:4].lower()} - {booking.ticket_short[4:].lower()} "
    response = manager_api.post("/api/v1/staff/checkins/", {"code": typed}, format="json")
    assert response.status_code == 200 and response.json()["id"] == booking.pk
    assert response.json()["ticket_short"] == booking.ticket_short_display
    again = manager_api.post("/api/v1/staff/checkins/", {"code": booking.ticket_code}, format="json")
    assert again.status_code == 409
    assert ServiceRecord.objects.count() == 1


def test_the_console_takes_the_typed_form(free_activity, member, manager):
    session = builders.session(free_activity, starts_in=timedelta(hours=2))
    booking = services.booking_create(member=member, session_id=session.pk)
    html = client_for(manager).post(reverse("frontend:console:checkin"),
                                    {"code": booking.ticket_short_display.lower()}).content.decode()
    assert "checkin-result--ok" in html
    assert Booking.objects.get(pk=booking.pk).checked_in_at is not None


def test_the_ticket_page_shows_both_forms(session, member):
    booking = services.booking_create(member=member, session_id=session.pk)
    html = client_for(member.user).get(reverse("frontend:booking_detail", args=[booking.pk])).content.decode()
    assert f"<title>{booking.ticket_code}</title>" in html  # the QR carries the full code
    assert f'data-testid="ticket-short">{booking.ticket_short_display}<' in html


def test_tickets_issued_later_get_a_short_form_too(facility, paid_activity, make_member, free_activity):
    paid = services.booking_create(member=make_member(), session_id=builders.session(paid_activity).pk)
    assert paid.ticket_short is None
    assert services.booking_mark_paid(booking_id=paid.pk).ticket_short
    full = builders.session(free_activity, capacity=0)
    waiting = services.booking_create(member=make_member(), session_id=full.pk, waitlist=True)
    Session.objects.filter(pk=full.pk).update(capacity=1)
    services.waitlist_offer_next(session_id=full.pk)
    assert services.offer_accept(member=waiting.member, booking_id=waiting.pk).ticket_short
    concert = builders.activity(facility, title="音乐会", ballot=True, closes_hours_before=48)
    drawn = builders.session(concert, capacity=1, starts_in=timedelta(days=5))
    entry = services.booking_create(member=make_member(), session_id=drawn.pk)
    Session.objects.filter(pk=drawn.pk).update(start=timezone.now() + timedelta(hours=24),
                                               end=timezone.now() + timedelta(hours=26))
    services.ballot_draw(session_id=drawn.pk)
    entry.refresh_from_db()
    assert entry.status == BookingStatus.CONFIRMED and entry.ticket_short


def test_the_migration_backfills_existing_tickets(session, make_member):
    bookings = [services.booking_create(member=make_member(), session_id=session.pk) for _ in range(2)]
    Booking.objects.update(ticket_short=None)
    waiting = services.booking_create(member=make_member(), session_id=builders.session(
        session.activity, capacity=0).pk, waitlist=True)
    migration = importlib.import_module("bookings.migrations.0002_ticket_short_codes_and_sane_values")
    migration.backfill_short_codes(apps, None)
    shorts = [Booking.objects.get(pk=b.pk).ticket_short for b in bookings]
    assert all(shorts) and len(set(shorts)) == 2
    assert Booking.objects.get(pk=waiting.pk).ticket_short is None  # no ticket, no short form
