"""seed_demo adds palaces, a term of classes, one-off events, court hours and a ballot activity (idempotent)."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings import selectors
from bookings.models import Activity, Booking, BookingStatus, Session
from facilities.models import AssetRecord, Facility, Venue
from portal.members.models import Member


def _counts():
    return [m.objects.count() for m in (Facility, Venue, AssetRecord, Activity, Session, Booking)]


@pytest.mark.django_db
def test_demo_palaces_and_sessions():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _counts() == first

    palace = Facility.objects.get(name="杭州工人文化宫")
    assert palace.organisation.name == "杭州市总工会" and palace.venues.count() >= 4
    assert Facility.objects.filter(kind="palace").exclude(organisation__path__startswith=palace.organisation.path)
    assert Facility.objects.filter(kind="sanatorium").count() == 2
    term = Activity.objects.get(title="民族舞基础班（秋冬学期）")
    assert 10 <= term.sessions.count() <= 12
    assert Activity.objects.filter(kind="open_hours").exists()
    assert Activity.objects.filter(ballot=True).exists()
    assert Activity.objects.filter(kind="event", ballot=False).exists()

    member = Member.objects.select_related("organisation").get(user__email="member@example.com")
    sessions = list(selectors.session_list(facility=palace, start=timezone.now()))
    verdicts = selectors.session_availability(member=member, sessions=sessions)
    bookable = [s for s in sessions if verdicts[s.pk].bookable]
    assert any(s.activity.price_fen == 0 for s in bookable) and any(s.activity.price_fen > 0 for s in bookable)
    assert Booking.objects.filter(member=member, status=BookingStatus.CONFIRMED).exclude(ticket_code=None).exists()
