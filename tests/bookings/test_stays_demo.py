"""seed_demo adds two sanatoriums with room types (one accessible each), policies, a season of open nights and
stays for member@example.com (an upcoming confirmed one with a dependant); loading again adds nothing."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Stay, StayStatus
from facilities.models import RoomNight, RoomType, SanatoriumPolicy
from portal.members.models import RoleGrant


def _counts():
    return [m.objects.count() for m in (RoomType, RoomNight, SanatoriumPolicy, Stay)]


@pytest.mark.django_db
def test_demo_sanatoriums_and_stays():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _counts() == first

    assert SanatoriumPolicy.objects.count() == 2
    for policy in SanatoriumPolicy.objects.select_related("facility"):
        kinds = set(RoomType.objects.filter(facility=policy.facility).values_list("kind", flat=True))
        assert {"accessible", "single", "twin"} <= kinds and 3 <= len(kinds) <= 4
    today = timezone.localdate()
    assert RoomNight.objects.filter(date=today + timezone.timedelta(days=149)).count() == RoomType.objects.count()
    stays = Stay.objects.filter(member__user__email="member@example.com", status=StayStatus.CONFIRMED,
                                check_in__gt=today)
    assert any(not g.is_member for stay in stays for g in stay.guests.all())
    assert Stay.objects.filter(check_in=today, status=StayStatus.CONFIRMED).exists()  # the desk's arrival
    desk = RoleGrant.objects.filter(user__email="sanatorium@example.com", role="facility_manager")
    assert {g.organisation_id for g in desk} == set(SanatoriumPolicy.objects.values_list(
        "facility__organisation_id", flat=True))
