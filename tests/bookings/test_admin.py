"""The bookings admin lets superusers look (and end a suspension early), never move seats behind the services."""

from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Suspension
from portal.members.models import User
from tests import factories


@pytest.fixture
def admin_client(db):
    admin = User.objects.create_superuser(email="root@example.com", password="x-Admin-pass-2026")
    TOTP.activate(admin, factories.TOTP_SECRET)  # /admin/ needs a session that passed TOTP
    return factories.sign_in(Client(), admin)


def test_superusers_see_every_bookings_model_read_only(admin_client, session, member):
    booking = services.booking_create(member=member, session_id=session.pk)
    for model in ("activity", "session", "booking", "walkin", "suspension", "calendarfeed"):
        assert admin_client.get(reverse(f"admin:bookings_{model}_changelist")).status_code == 200, model
    page = admin_client.get(reverse("admin:bookings_booking_change", args=[booking.pk]))
    assert page.status_code == 200 and booking.ticket_code not in page.content.decode()
    assert admin_client.get(reverse("admin:bookings_booking_add")).status_code == 403
    assert admin_client.post(reverse("admin:bookings_session_change", args=[session.pk]),
                             {"capacity": 0}).status_code == 403
    assert admin_client.post(reverse("admin:bookings_booking_delete", args=[booking.pk]),
                             {"post": "yes"}).status_code == 403


def test_a_suspension_can_be_ended_early_but_not_before_it_starts(local_noon, admin_client, member):
    now = timezone.now()
    suspension = Suspension.objects.create(member=member, starts_at=now, ends_at=now + timedelta(days=30),
                                           reason="3 no-shows")
    url = reverse("admin:bookings_suspension_change", args=[suspension.pk])
    local = timezone.localtime(now)
    backwards = admin_client.post(url, {"starts_at_0": local.strftime("%Y-%m-%d"),
                                        "starts_at_1": local.strftime("%H:%M:%S"),
                                        "ends_at_0": (local - timedelta(days=1)).strftime("%Y-%m-%d"),
                                        "ends_at_1": local.strftime("%H:%M:%S")})
    assert backwards.status_code == 200 and "suspension_range" not in backwards.content.decode()
    ended = admin_client.post(url, {"starts_at_0": local.strftime("%Y-%m-%d"),
                                    "starts_at_1": local.strftime("%H:%M:%S"),
                                    "ends_at_0": local.strftime("%Y-%m-%d"),
                                    "ends_at_1": (local + timedelta(minutes=1)).strftime("%H:%M:%S")})
    assert ended.status_code == 302
