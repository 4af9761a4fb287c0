"""Demo sanatorium stays (run from bookings.demo): member@example.com has an upcoming confirmed family stay
at the Taihu sanatorium (companions paid by the union there) and a short stay on their own in Hangzhou; and
a demo member arrives at the Hangzhou sanatorium today, so the desk has an arrival to check in.

Idempotent: a member who already has stays is left alone; today's arrival is added once per day.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from facilities.models import RoomType

from . import services
from .models import Stay

# member key, sanatorium, room type, days ahead, nights, rooms, dependants (names)
PLANS = [
    ("member", "江苏省总工会太湖疗休养院", "亲子套房", 20, 3, 1, ["王小明"]),
    ("member", "浙江省总工会杭州疗休养院", "标准单人间", 45, 2, 1, []),
]


def _book(member, facility_name: str, room_name: str, ahead: int, nights: int, rooms: int, names: list[str]):
    room_type = RoomType.objects.get(facility__name=facility_name, name=room_name)
    check_in = timezone.localdate() + timedelta(days=ahead)
    dependants = [d.pk for d in member.dependants.all() if d.name in names]
    return services.stay_create(member=member, room_type_id=room_type.pk, check_in=check_in,
                                check_out=check_in + timedelta(days=nights), rooms=rooms, dependant_ids=dependants)


def seed_stays(context: dict) -> None:
    members = context["members"]
    for key, facility_name, room_name, ahead, nights, rooms, names in PLANS:
        member = members[key]
        if not Stay.objects.filter(member=member, room_type__facility__name=facility_name).exists():
            _book(member, facility_name, room_name, ahead, nights, rooms, names)
    arriving = members["demo01"]
    if not Stay.objects.filter(member=arriving, check_in=timezone.localdate()).exists():
        _book(arriving, "浙江省总工会杭州疗休养院", "湖景双人间", 0, 2, 1, [])
