"""Demo recuperation programme (called from bookings.demo.seed after the stays): the Hangzhou city union's
model-worker and craftsman programme with three batches at the two demo sanatoriums (room blocks taken from their
open nights), places allocated down the demo tree to the grassroots unions, applications waiting for
officer@example.com, member@example.com with one application approved by the union (awaiting the organisers'
confirmation), and skilled@example.com eligible and never been (free to apply).

Idempotent: nothing is added when the programme already exists.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from facilities.models import RoomType
from portal.errors import DomainError

from .models import Programme, ProgrammeStatus, QuotaAllocation
from .services import applications as application_services
from .services import programmes as programme_services
from .services import quotas

# (sanatorium key, room type name, days from today, nights, rooms, route)
BATCHES = [
    ("zj_sanatorium", "湖景双人间", 40, 5, 15, "杭州市总工会集合 → 大巴直达龙井路疗休养院；含西湖、龙井村疗养活动"),
    ("js_sanatorium", "标准双人间", 70, 5, 10, "杭州东站高铁至苏州 → 接驳车至太湖疗休养院；含太湖湿地、苏州园林"),
    ("zj_sanatorium", "湖景双人间", 100, 6, 12, "杭州市总工会集合 → 大巴直达；含九溪徒步、中医理疗"),
]
# (allocation holder key, child key, share of the batch's places) for every batch, parents first.
ALLOCATIONS = [("hz", "xihu", 1 / 3), ("xihu", "hz_steel", 1 / 6), ("hz", "hz_bus", 1 / 4), ("hz", "tonglu", 1 / 8)]
TITLE = "{year} 劳模工匠疗休养"
WAITING = 6  # submitted applications in officer@example.com's queue


def seed_programmes(context: dict) -> None:
    orgs, facilities = context["orgs"], context["facilities"]
    officer, members = context["staff"]["officer"], context["members"]
    today = timezone.localdate()
    year = (today + timedelta(days=BATCHES[0][2])).year
    title = TITLE.format(year=year)
    if Programme.objects.filter(title=title, organisation=orgs["hz"]).exists():
        return
    programme = programme_services.programme_create(
        actor=officer, organisation=orgs["hz"], title=title, year=year, status=ProgrammeStatus.OPEN,
        description="面向市级及以上劳模和技能人才的年度疗休养，每人每年一次；从未参加过的职工优先，"
                    "五个名额中一个留给技能人才。",
        categories=["model_worker", "skilled_worker"], min_model_worker_level="city", once_in_years=1,
        priority_never_been=True, skilled_share_percent=20)
    batches = []
    for key, room_name, days, nights, rooms, route in BATCHES:
        room_type = RoomType.objects.get(facility=facilities[key], name=room_name)
        start = today + timedelta(days=days)
        batch = programme_services.batch_create(
            actor=officer, programme=programme, sanatorium=facilities[key], start_date=start,
            end_date=start + timedelta(days=nights), places=rooms * room_type.beds, route=route,
            applications_open=today - timedelta(days=3), applications_close=start - timedelta(days=10),
            handback_cutoff=start - timedelta(days=14), room_type=room_type, rooms=rooms)
        held = {"hz": QuotaAllocation.objects.get(batch=batch, parent=None)}
        for holder, child, share in ALLOCATIONS:
            held[child] = quotas.allocate(actor=officer, allocation_id=held[holder].pk, organisation=orgs[child],
                                          places=max(int(batch.places * share), 1))
        batches.append(batch)
    first = batches[0]
    mine = application_services.application_submit(member=members["member"], programme_id=programme.pk,
                                                   batch_id=first.pk)
    application_services.application_approve(actor=officer, application_id=mine.pk)
    waiting = 0
    for key in sorted(members):
        member = members[key]
        if not key.startswith("demo") or waiting >= WAITING:
            continue
        for batch in batches:
            try:
                application_services.application_submit(member=member, programme_id=programme.pk,
                                                         batch_id=batch.pk)
            except DomainError:  # not eligible, or not a member of the Hangzhou tree: try the next one
                continue
            waiting += 1
            break
