"""Demo activities and sessions: a term of weekly classes (free and paid) generated from RRULEs, one-off
events, badminton court hours and a ballot concert, plus a booking with a ticket for member@example.com;
and sessions TODAY (Asia/Shanghai, the day the demo is loaded) for the console's Today page, check-in and
walk-ins: one booked by member@example.com, one full with a waitlist.

Idempotent: an activity that already exists is left alone with its sessions; today's sessions are added
once per day (loading the demo again on another day adds that day's).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from portal.errors import DomainError
from portal.members.models import User

from . import demo_programmes, services, stay_demo
from .models import Activity, BookingStatus, MemberCategory
from .rules import LOCAL_TZ

# facility key, venue, title, kind, category, price fen, rrule, weekday (0=Mon), local time, minutes, extra
ACTIVITIES = [
    ("hz_palace", "舞蹈教室", "民族舞基础班（秋冬学期）", "class_series", "music", 0,
     "FREQ=WEEKLY;BYDAY=TU;COUNT=12", 1, time(19, 0), 90, {"max_active_per_week": 1}),
    ("hz_palace", "书画教室", "油画进阶班", "class_series", "arts", 3000,
     "FREQ=WEEKLY;BYDAY=SA;COUNT=10", 5, time(9, 30), 120, {"max_seats_per_booking": 1}),
    ("hz_palace", "书画教室", "劳模书法雅集", "class_series", "arts", 0,
     "FREQ=WEEKLY;BYDAY=TH;COUNT=8", 3, time(14, 0), 120,
     {"member_categories": [MemberCategory.MODEL_WORKER, MemberCategory.SKILLED_WORKER]}),
    ("hz_palace", "羽毛球馆 1 号场", "羽毛球场地开放时段", "open_hours", "sports", 2000,
     "FREQ=DAILY;COUNT=21", None, time(18, 0), 60, {"max_seats_per_booking": 4, "cancel_hours_before": 4,
                                                    "opens_hours_before": 7 * 24}),
    ("hz_palace", "职工书屋", "亲子阅读周末", "class_series", "family", 0,
     "FREQ=WEEKLY;BYDAY=SU;COUNT=6", 6, time(10, 0), 90, {"max_seats_per_booking": 3}),
    ("xihu_centre", "多功能厅", "职工心理健康讲座", "event", "health", 0,
     "FREQ=DAILY;COUNT=1", None, time(19, 0), 90, {}),
    ("nb_palace", "技能培训教室", "电工技能提升夜校", "class_series", "skills", 0,
     "FREQ=WEEKLY;BYDAY=WE;COUNT=10", 2, time(19, 0), 120, {}),
    ("nj_palace", "游泳馆", "职工游泳培训班", "class_series", "sports", 5000,
     "FREQ=WEEKLY;BYDAY=MO,FR;COUNT=16", 0, time(18, 30), 60, {}),
]
ONE_OFF = [  # facility, venue, title, category, days ahead, local time, minutes, capacity, extra
    ("hz_palace", "大剧场", "劳模工匠事迹报告会", "performance", 10, time(14, 30), 120, 500, {}),
    ("hz_palace", "大剧场", "迎新年职工交响音乐会", "performance", 20, time(19, 30), 150, 300,
     {"ballot": True, "closes_hours_before": 72, "opens_hours_before": 21 * 24, "max_seats_per_booking": 2}),
]


def _first(weekday: int | None, at: time) -> datetime:
    day = timezone.localdate() + timedelta(days=2)
    if weekday is not None:
        day += timedelta(days=(weekday - day.weekday()) % 7)
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


def _activity(facility, venue, title, kind, category, price, extra) -> tuple[Activity, bool]:
    return Activity.objects.get_or_create(facility=facility, title=title, defaults=dict(
        venue=venue, kind=kind, category=category, price_fen=price,
        description=f"{facility.name} · {title}。报名后请凭电子票二维码入场。", **extra))


def seed(context: dict) -> None:
    admin = User.objects.get(email="admin@example.com")
    facilities, venues = context["facilities"], context["venues"]
    today = timezone.localdate()
    for key, venue_name, title, kind, category, price, rule, weekday, at, minutes, extra in ACTIVITIES:
        venue = venues[f"{key}:{venue_name}"]
        activity, created = _activity(facilities[key], venue, title, kind, category, price, extra)
        if created:
            first = _first(weekday, at)
            holiday = [date(today.year, 12, 31), date(today.year + 1, 1, 1)]  # 元旦 closure
            services.sessions_generate(actor=admin, activity=activity, rrule=rule, first_start=first,
                                       duration_minutes=minutes, capacity=venue.capacity, exdates=holiday)
    for key, venue_name, title, category, days, at, minutes, capacity, extra in ONE_OFF:
        venue = venues[f"{key}:{venue_name}"]
        activity, created = _activity(facilities[key], venue, title, "event", category, 0, extra)
        if created:
            start = datetime.combine(today + timedelta(days=days), at, tzinfo=LOCAL_TZ)
            services.sessions_generate(actor=admin, activity=activity, rrule="FREQ=DAILY;COUNT=1",
                                       first_start=start, duration_minutes=minutes, capacity=capacity)
    _demo_bookings(context)
    _today(context)
    stay_demo.seed_stays(context)
    demo_programmes.seed_programmes(context)


def _demo_bookings(context: dict) -> None:
    """member@example.com holds a ticket for the next dance class; skilled@ registered for the ballot."""
    members = context["members"]
    plans = [(members["member"], "民族舞基础班（秋冬学期）"), (members["skilled"], "迎新年职工交响音乐会"),
             (members["member"], "劳模书法雅集")]
    for member, title in plans:
        activity = Activity.objects.filter(title=title).first()
        if activity is None or member.bookings.filter(session__activity=activity).exists():
            continue
        for session in activity.sessions.filter(start__gt=timezone.now()).order_by("start")[:3]:
            try:
                booking = services.booking_create(member=member, session_id=session.pk)
            except DomainError:  # a closed window or a limit just means: try the next session
                continue
            if booking.status in (BookingStatus.CONFIRMED, BookingStatus.INTEREST):
                break


# Today's activities: booking closes at the start (so a session later today stays bookable) and free
# cancellation lasts until the start. title, venue, capacity, minutes after the first session
TODAY = [("今日开放·职工工间操体验课", "舞蹈教室", 20, 0), ("今日开放·书法公开课", "书画教室", 2, 30)]


def later_today(moment: datetime) -> datetime:
    """A start later today (local time) whatever the hour: in half an hour, on the next five minutes, or,
    late in the evening, halfway to midnight (still in the future, still today)."""
    local = moment.astimezone(LOCAL_TZ)
    start = (local + timedelta(minutes=34)).replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % 5)
    midnight = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)
    if start >= midnight:
        start = local + (midnight - local) / 2
    return start


def _today(context: dict) -> None:
    admin = User.objects.get(email="admin@example.com")
    palace, venues, members = context["facilities"]["hz_palace"], context["venues"], context["members"]
    moment = timezone.now()
    first = later_today(moment)
    day_start = datetime.combine(first.date(), time.min, tzinfo=LOCAL_TZ)
    sessions = []
    for title, venue_name, capacity, offset in TODAY:
        venue = venues[f"hz_palace:{venue_name}"]
        activity, _created = _activity(palace, venue, title, "event", "skills", 0, {
            "opens_hours_before": 14 * 24, "closes_hours_before": 0, "cancel_hours_before": 0})
        if activity.sessions.filter(start__gte=day_start, start__lt=day_start + timedelta(days=1)).exists():
            return  # today's sessions (and their bookings) are there already
        start = first + timedelta(minutes=offset)
        if start.astimezone(LOCAL_TZ).date() != first.date():
            start = first
        sessions += services.sessions_generate(actor=admin, activity=activity, rrule="FREQ=DAILY;COUNT=1",
                                               first_start=start, duration_minutes=60, capacity=capacity)
    open_session, full_session = sessions
    for member in (members["member"], members["demo00"], members["demo01"], members["demo02"]):
        services.booking_create(member=member, session_id=open_session.pk)
    for member in (members["demo03"], members["skilled"]):
        services.booking_create(member=member, session_id=full_session.pk)
    for member in (members["demo05"], members["member"]):  # member@example.com waits second in the queue
        services.booking_create(member=member, session_id=full_session.pk, waitlist=True)
