"""The demo can be tried on the day it is loaded, whatever the hour: sessions today at the palace, one booked by
member@example.com (a ticket to check in), one full with a waitlist; the console's Today page shows them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bookings import selectors, services
from bookings.demo import later_today
from bookings.models import Booking, BookingStatus, Session
from portal.members.models import User
from tests.frontend.conftest import client_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _seed():
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def _today_sessions():
    start = datetime.combine(timezone.localdate(), datetime.min.time(), tzinfo=SHANGHAI)
    return Session.objects.filter(start__gte=start, start__lt=start + timedelta(days=1))


@pytest.mark.django_db
@pytest.mark.parametrize("hour,minute", [(9, 0), (23, 0), (23, 57)])
def test_demo_has_sessions_today_to_check_in(time_machine, hour, minute):
    now = datetime(2025, 6, 15, hour, minute, tzinfo=SHANGHAI)  # a Sunday, late or not
    time_machine.move_to(now, tick=False)
    _seed()
    today = _today_sessions()
    assert today.filter(start__gt=timezone.now()).count() >= 2
    ticket = Booking.objects.get(member__user__email="member@example.com", session__in=today,
                                 status=BookingStatus.CONFIRMED)
    assert ticket.ticket_code and ticket.ticket_short
    full = today.get(activity__title="今日开放·书法公开课")
    assert full.booked == full.capacity
    queue = [(b.member.user.email, b.queue_place) for b in selectors.session_bookings_for_staff(
        actor=User.objects.get(email="palace@example.com"), session_id=full.pk) if b.status == "waitlisted"]
    assert len(queue) == 2 and ("member@example.com", 2) in queue
    # The facility manager's Today page lists them, and the ticket checks in.
    palace = User.objects.get(email="palace@example.com")
    html = client_for(palace).get(reverse("frontend:console:today")).content.decode()
    for session in today:
        assert reverse("frontend:console:session_detail", args=[session.pk]) in html
    assert services.checkin(actor=palace, code=ticket.ticket_short_display.lower()).checked_in_at
    # Loading the demo again the same day adds nothing; the next day adds that day's sessions.
    _seed()
    assert _today_sessions().count() == today.count()
    time_machine.move_to(now + timedelta(days=1), tick=False)
    _seed()
    assert _today_sessions().filter(activity__title="今日开放·职工工间操体验课").count() == 1


@pytest.mark.parametrize("hour,minute,second", [(0, 0, 0), (12, 3, 0), (23, 25, 0), (23, 59, 30)])
def test_later_today_is_later_and_still_today(hour, minute, second):
    now = datetime(2025, 6, 15, hour, minute, second, tzinfo=SHANGHAI)
    start = later_today(now)
    assert start > now and start.astimezone(SHANGHAI).date() == now.date()
