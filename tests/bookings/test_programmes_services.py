"""Quotas down the tree, applications and their steps, through the services (SQLite)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from bookings.models import (
    TRIP_STATUSES,
    Application,
    ApplicationStatus,
    Batch,
    QuotaAllocation,
)
from bookings.services import applications as apps
from bookings.services import programmes as setup
from bookings.services import quotas
from portal.errors import Conflict, NotFound
from portal.members.models import ModelWorkerLevel, Role
from portal.notifications.models import Message
from portal.stats.models import ServiceRecord
from tests import factories

from . import programme_builders as pb

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_officer(orgs):
    return pb.runner(orgs["city"])


@pytest.fixture
def prog(orgs, city_officer):
    return pb.programme(orgs["city"], actor=city_officer, skilled_share_percent=20)


@pytest.fixture
def sanatorium(orgs):
    return pb.sanatorium(orgs["province"])


@pytest.fixture
def batch(prog, sanatorium):
    return pb.batch(prog, sanatorium, places=10)


def root(batch) -> QuotaAllocation:
    return QuotaAllocation.objects.get(batch=batch, parent=None)


def assert_invariants(batch: Batch) -> None:
    """Sums hold: every child's places come out of its parent, used places match place-holding applications."""
    allocations = list(QuotaAllocation.objects.filter(batch=batch))
    by_parent: dict[int, int] = {}
    for a in allocations:
        if a.parent_id:
            by_parent[a.parent_id] = by_parent.get(a.parent_id, 0) + a.places
        assert a.used + a.allocated_to_children <= a.places
    for a in allocations:
        assert a.allocated_to_children == by_parent.get(a.pk, 0), a
    root_row = next(a for a in allocations if a.parent_id is None)
    assert root_row.places == batch.places
    holding = Application.objects.filter(batch=batch, status__in=TRIP_STATUSES).count()  # completed trips keep theirs
    assert sum(a.used for a in allocations) == holding


def test_batch_creates_root_allocation_with_skilled_share(batch, orgs):
    r = root(batch)
    assert (r.organisation, r.places, r.skilled_reserved, r.used) == (orgs["city"], 10, 2, 0)


def test_allocate_down_and_further_down(batch, orgs, city_officer):
    county = quotas.allocate(actor=city_officer, allocation_id=root(batch).pk, organisation=orgs["county"], places=6)
    assert (county.places, county.skilled_reserved) == (6, 1)
    unit = quotas.allocate(actor=city_officer, allocation_id=county.pk, organisation=orgs["unit"], places=4,
                           skilled_reserved=0)
    assert unit.places == 4
    assert root(batch).allocated_to_children == 6
    county.refresh_from_db()
    assert county.allocated_to_children == 4
    again = quotas.allocate(actor=city_officer, allocation_id=county.pk, organisation=orgs["unit"], places=1)
    assert again.pk == unit.pk and again.places == 5
    assert_invariants(batch)


def test_allocation_above_parent_free_is_409_and_changes_nothing(batch, orgs, city_officer):
    with pytest.raises(Conflict) as caught:
        quotas.allocate(actor=city_officer, allocation_id=root(batch).pk, organisation=orgs["county"], places=11)
    assert "10" in caught.value.detail and caught.value.code == "over_allocated"
    # The reservation (2 of 10) stays: 9 places for others cannot all go to a child that reserves none.
    with pytest.raises(Conflict):
        quotas.allocate(actor=city_officer, allocation_id=root(batch).pk, organisation=orgs["county"], places=9,
                        skilled_reserved=0)
    assert root(batch).allocated_to_children == 0
    assert not QuotaAllocation.objects.filter(batch=batch, organisation=orgs["county"], places__gt=0).exists()
    assert_invariants(batch)


def test_allocate_only_to_direct_child_and_in_scope(batch, orgs, city_officer):
    with pytest.raises(ValidationError) as caught:
        quotas.allocate(actor=city_officer, allocation_id=root(batch).pk, organisation=orgs["unit"], places=1)
    assert "organisation" in caught.value.message_dict
    sibling_officer = factories.staff(organisation=orgs["sibling"], role=Role.UNION_OFFICER)
    with pytest.raises(NotFound):
        quotas.allocate(actor=sibling_officer, allocation_id=root(batch).pk, organisation=orgs["county"], places=1)


def test_hand_back_returns_places_and_reservation(batch, orgs, city_officer):
    county = quotas.allocate(actor=city_officer, allocation_id=root(batch).pk, organisation=orgs["county"], places=5)
    assert county.skilled_reserved == 1
    county = quotas.hand_back(actor=city_officer, allocation_id=county.pk, places=5)
    assert (county.places, county.handed_back, county.skilled_reserved) == (0, 5, 0)
    r = root(batch)
    assert (r.allocated_to_children, r.skilled_reserved) == (0, 2)
    assert_invariants(batch)


def test_hand_back_refused_after_cutoff_and_beyond_unused(batch, orgs, city_officer):
    county = quotas.allocate(actor=city_officer, allocation_id=root(batch).pk, organisation=orgs["county"], places=3)
    with pytest.raises(Conflict) as caught:
        quotas.hand_back(actor=city_officer, allocation_id=county.pk, places=4)
    assert caught.value.code == "over_handback"
    with pytest.raises(Conflict):
        quotas.hand_back(actor=city_officer, allocation_id=root(batch).pk, places=1)
    Batch.objects.filter(pk=batch.pk).update(handback_cutoff=timezone.localdate() - timedelta(days=1))
    with pytest.raises(Conflict) as caught:
        quotas.hand_back(actor=city_officer, allocation_id=county.pk, places=1)
    assert caught.value.code == "cutoff_passed"
    assert QuotaAllocation.objects.get(pk=county.pk).places == 3


def test_counters_are_enforced_by_the_database(batch):
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaAllocation.objects.filter(pk=root(batch).pk).update(used=F("places") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        # Nine used by others would eat into the 2 reserved for skilled workers.
        QuotaAllocation.objects.filter(pk=root(batch).pk).update(used=9)


def test_application_lifecycle_takes_and_counts(batch, prog, orgs, city_officer):
    member = factories.member(organisation=orgs["unit"], model_worker_level=ModelWorkerLevel.CITY)
    application = apps.application_submit(member=member, programme_id=prog.pk, batch_id=batch.pk)
    assert application.status == ApplicationStatus.SUBMITTED and application.never_been
    assert Message.objects.filter(user=member.user, kind="programme_submitted").exists()
    apps.application_approve(actor=city_officer, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.allocation == root(batch)
    assert root(batch).used == 1
    apps.application_confirm(actor=city_officer, application_id=application.pk)
    assert Batch.objects.get(pk=batch.pk).participants == 1
    Batch.objects.filter(pk=batch.pk).update(start_date=timezone.localdate(),
                                             end_date=timezone.localdate() + timedelta(days=5),
                                             applications_close=timezone.localdate() - timedelta(days=1),
                                             handback_cutoff=timezone.localdate() - timedelta(days=2))
    apps.participant_check_in(actor=city_officer, application_id=application.pk)
    apps.participant_check_out(actor=city_officer, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    record = ServiceRecord.objects.get(source_id=application.pk, kind="stay")
    assert record.programme_trip and record.model_worker and record.facility_id == batch.sanatorium_id
    actions = list(application.steps.values_list("action", flat=True))
    assert actions == ["submit", "approve", "confirm", "check_in", "check_out"]
    assert_invariants(batch)


def test_approval_takes_from_the_nearest_allocation_with_free_places(batch, prog, orgs, city_officer):
    county = quotas.allocate(actor=city_officer, allocation_id=root(batch).pk, organisation=orgs["county"],
                             places=2, skilled_reserved=0)
    unit = quotas.allocate(actor=city_officer, allocation_id=county.pk, organisation=orgs["unit"], places=1,
                           skilled_reserved=0)
    members = [factories.member(organisation=orgs["unit"]) for _ in range(3)]
    taken = []
    for m in members:
        a = apps.application_submit(member=m, programme_id=prog.pk, batch_id=batch.pk)
        apps.application_approve(actor=city_officer, application_id=a.pk)
        taken.append(Application.objects.get(pk=a.pk).allocation_id)
    assert taken == [unit.pk, county.pk, root(batch).pk]
    assert_invariants(batch)


def test_grassroots_officer_takes_only_from_their_own_allocations(batch, prog, orgs, city_officer):
    county = quotas.allocate(actor=city_officer, allocation_id=root(batch).pk, organisation=orgs["county"],
                             places=1, skilled_reserved=0)
    unit_officer = factories.staff(organisation=orgs["unit"], role=Role.UNION_OFFICER)
    m = factories.member(organisation=orgs["unit"])
    a = apps.application_submit(member=m, programme_id=prog.pk, batch_id=batch.pk)
    with pytest.raises(Conflict) as caught:
        apps.application_approve(actor=unit_officer, application_id=a.pk)
    assert caught.value.code == "full"
    county.refresh_from_db()
    assert county.used == 0
    quotas.allocate(actor=city_officer, allocation_id=county.pk, organisation=orgs["unit"], places=1,
                    skilled_reserved=0)
    apps.application_approve(actor=unit_officer, application_id=a.pk)
    assert Application.objects.get(pk=a.pk).status == ApplicationStatus.APPROVED


def test_skilled_reservation_enforced_at_approval(prog, sanatorium, orgs, city_officer):
    batch = pb.batch(prog, sanatorium, places=5)  # 1 place reserved for skilled workers
    others = [factories.member(organisation=orgs["unit2"]) for _ in range(5)]
    applications = [apps.application_submit(member=m, programme_id=prog.pk, batch_id=batch.pk) for m in others[:4]]
    for a in applications:
        apps.application_approve(actor=city_officer, application_id=a.pk)
    # the fifth place is the skilled workers': a member who is not one cannot apply nor be approved
    with pytest.raises(Conflict) as caught:
        apps.application_submit(member=others[4], programme_id=prog.pk, batch_id=batch.pk)
    assert caught.value.code == "full"
    skilled = factories.member(organisation=orgs["unit2"], skilled_worker=True)
    a = apps.application_submit(member=skilled, programme_id=prog.pk, batch_id=batch.pk)
    apps.application_approve(actor=city_officer, application_id=a.pk)
    r = root(batch)
    assert (r.used, r.skilled_used) == (5, 1)
    assert_invariants(batch)


def test_reject_after_approval_and_withdraw_give_the_place_back(batch, prog, orgs, city_officer):
    m1, m2 = factories.member(organisation=orgs["unit"]), factories.member(organisation=orgs["unit"])
    a1 = apps.application_submit(member=m1, programme_id=prog.pk, batch_id=batch.pk)
    a2 = apps.application_submit(member=m2, programme_id=prog.pk, batch_id=batch.pk)
    apps.application_approve(actor=city_officer, application_id=a1.pk)
    apps.application_approve(actor=city_officer, application_id=a2.pk)
    apps.application_confirm(actor=city_officer, application_id=a2.pk)
    assert root(batch).used == 2
    with pytest.raises(ValidationError):
        apps.application_reject(actor=city_officer, application_id=a1.pk, reason="  ")
    apps.application_reject(actor=city_officer, application_id=a1.pk, reason="名额调整")
    apps.application_withdraw(member=m2, application_id=a2.pk)
    assert root(batch).used == 0
    assert Batch.objects.get(pk=batch.pk).participants == 0
    assert Application.objects.get(pk=a1.pk).reason == "名额调整"
    assert Message.objects.filter(user=m1.user, kind="programme_rejected", body__contains="名额调整").exists()
    assert_invariants(batch)


def test_approval_by_officer_of_another_subtree_is_404(batch, prog, orgs, city_officer):
    m = factories.member(organisation=orgs["unit"])
    a = apps.application_submit(member=m, programme_id=prog.pk, batch_id=batch.pk)
    sibling = factories.staff(organisation=orgs["sibling"], role=Role.UNION_OFFICER)
    with pytest.raises(NotFound):
        apps.application_approve(actor=sibling, application_id=a.pk)
    county_officer = factories.staff(organisation=orgs["county"], role=Role.UNION_OFFICER)
    quotas.allocate(actor=city_officer, allocation_id=root(batch).pk, organisation=orgs["county"], places=2)
    apps.application_approve(actor=county_officer, application_id=a.pk)
    # the county's officer is not the organisers': confirming is theirs alone
    with pytest.raises(NotFound):
        apps.application_confirm(actor=county_officer, application_id=a.pk)
    assert Application.objects.get(pk=a.pk).status == ApplicationStatus.APPROVED


def test_no_two_overlapping_applications_anywhere(prog, sanatorium, orgs, city_officer):
    other_sanatorium = pb.sanatorium(orgs["national"], name="乙疗休养院")
    province_prog = pb.programme(orgs["province"], title="省级职工疗休养")
    b1 = pb.batch(prog, sanatorium, starts_in=30)
    b2 = pb.batch(province_prog, other_sanatorium, starts_in=32)
    m = factories.member(organisation=orgs["unit"])
    apps.application_submit(member=m, programme_id=prog.pk, batch_id=b1.pk)
    with pytest.raises(Conflict) as caught:
        apps.application_submit(member=m, programme_id=province_prog.pk, batch_id=b2.pk)
    assert caught.value.code == "overlap"
    with pytest.raises(Conflict) as caught:
        apps.application_submit(member=m, programme_id=prog.pk, batch_id=b1.pk)
    assert caught.value.code == "already_applied"
    assert Application.objects.filter(member=m).count() == 1


def test_same_batch_twice_refused_by_the_partial_unique_index(batch, orgs):
    m = factories.member(organisation=orgs["unit"])
    Application.objects.create(member=m, batch=batch)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(member=m, batch=batch)
    Application.objects.filter(member=m).update(status=ApplicationStatus.WITHDRAWN)
    Application.objects.create(member=m, batch=batch)


def test_full_closed_and_ineligible_applications_are_refused(prog, sanatorium, orgs):
    m = factories.member(organisation=orgs["unit"])
    closed = pb.batch(prog, sanatorium, applications_open=timezone.localdate() + timedelta(days=1))
    with pytest.raises(Conflict) as caught:
        apps.application_submit(member=m, programme_id=prog.pk, batch_id=closed.pk)
    assert caught.value.code == "closed"
    outsider = factories.member(organisation=orgs["sibling_unit"])
    open_batch = pb.batch(prog, sanatorium, starts_in=60)
    with pytest.raises(Conflict) as caught:
        apps.application_submit(member=outsider, programme_id=prog.pk, batch_id=open_batch.pk)
    assert caught.value.code == "not_eligible"
    QuotaAllocation.objects.filter(batch=open_batch).update(used=8)
    with pytest.raises(Conflict) as caught:
        apps.application_submit(member=m, programme_id=prog.pk, batch_id=open_batch.pk)
    assert caught.value.code == "full"
    with pytest.raises(NotFound):
        apps.application_submit(member=m, programme_id=prog.pk + 1000, batch_id=open_batch.pk)
    assert not Application.objects.filter(member__in=[m, outsider]).exists()


def test_once_a_year_is_checked_again_at_approval(prog, sanatorium, orgs, city_officer):
    start = timezone.localdate().replace(month=1, day=10) + timedelta(days=366)  # both in next year
    b1 = pb.batch(prog, sanatorium, starts_in=(start - timezone.localdate()).days)
    b2 = pb.batch(prog, sanatorium, starts_in=(start - timezone.localdate()).days + 40)
    m = factories.member(organisation=orgs["unit"])
    a1 = apps.application_submit(member=m, programme_id=prog.pk, batch_id=b1.pk)
    a2 = apps.application_submit(member=m, programme_id=prog.pk, batch_id=b2.pk)
    apps.application_approve(actor=city_officer, application_id=a1.pk)
    with pytest.raises(Conflict) as caught:
        apps.application_approve(actor=city_officer, application_id=a2.pk)
    assert caught.value.code == "not_eligible"
    assert QuotaAllocation.objects.filter(batch=b2).aggregate(n=Sum("used"))["n"] == 0


def test_nomination_and_priority_order(batch, prog, orgs, city_officer):
    from bookings import programme_selectors

    been = factories.member(organisation=orgs["unit"])
    old_batch = pb.batch(prog, batch.sanatorium, starts_in=400)
    Application.objects.create(member=been, batch=old_batch, status=ApplicationStatus.COMPLETED,
                               allocation=root(old_batch))
    first = apps.application_submit(member=been, programme_id=prog.pk, batch_id=batch.pk)
    newcomer = factories.member(organisation=orgs["unit"])
    nominated = apps.application_nominate(actor=city_officer, member_id=newcomer.pk, batch_id=batch.pk)
    assert nominated.nominated and nominated.nominated_by == city_officer and nominated.never_been
    queue = list(programme_selectors.application_queue(actor=city_officer, batch=batch))
    assert [a.pk for a in queue] == [nominated.pk, first.pk]
    outsider = factories.member(organisation=orgs["sibling_unit"])
    with pytest.raises(ValidationError):
        apps.application_nominate(actor=city_officer, member_id=outsider.pk, batch_id=batch.pk)


def test_batch_cancel_releases_everything(batch, prog, orgs, city_officer):
    m = factories.member(organisation=orgs["unit"])
    a = apps.application_submit(member=m, programme_id=prog.pk, batch_id=batch.pk)
    apps.application_approve(actor=city_officer, application_id=a.pk)
    apps.application_confirm(actor=city_officer, application_id=a.pk)
    setup.batch_cancel(actor=city_officer, batch_id=batch.pk, reason="台风")
    batch.refresh_from_db()
    assert batch.status == "cancelled" and batch.participants == 0
    assert Application.objects.get(pk=a.pk).status == ApplicationStatus.CANCELLED
    assert root(batch).used == 0
    assert Message.objects.filter(user=m.user, kind="programme_cancelled").exists()
    with pytest.raises(Conflict):
        setup.batch_cancel(actor=city_officer, batch_id=batch.pk, reason="again")


def test_batch_create_bad_input(prog, sanatorium, orgs, city_officer):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        setup.batch_create(actor=city_officer, programme=prog, sanatorium=sanatorium, start_date=today,
                           end_date=today, places=5, applications_open=today, applications_close=today,
                           handback_cutoff=today)
    assert {"end_date", "applications_close", "handback_cutoff"} <= set(caught.value.message_dict)
    palace = pb.sanatorium(orgs["city"], name="文化宫")
    palace.kind = "palace"
    palace.save()
    with pytest.raises(ValidationError):
        setup.batch_create(actor=city_officer, programme=prog, sanatorium=palace, start_date=today + timedelta(9),
                           end_date=today + timedelta(12), places=5, applications_open=today,
                           applications_close=today + timedelta(3), handback_cutoff=today + timedelta(4))
    assert not Batch.objects.filter(programme=prog).exists()


def test_room_block_taken_at_creation_and_released_on_cancel(prog, orgs, city_officer):
    from facilities.models import RoomNight
    from tests.facilities import rooms

    sanatorium = rooms.sanatorium(orgs["province"], name="丙疗休养院")
    room_type = rooms.room_type(sanatorium, rooms=5)
    start = rooms.open_nights(room_type, days=40)
    today = timezone.localdate()
    batch = pb.batch(prog, sanatorium, places=4, starts_in=(start - today).days + 10, nights=3, room_type=room_type,
                     rooms=2)
    nights = RoomNight.objects.filter(room_type=room_type, date__gte=batch.start_date, date__lt=batch.end_date)
    assert sorted(nights.values_list("rooms_taken", flat=True)) == [2, 2, 2]
    setup.batch_cancel(actor=city_officer, batch_id=batch.pk, reason="改期")
    assert sorted(nights.values_list("rooms_taken", flat=True)) == [0, 0, 0]


def test_room_block_bad_input_changes_nothing(prog, orgs):
    from facilities.models import RoomNight
    from tests.facilities import rooms

    sanatorium = rooms.sanatorium(orgs["province"], name="丁疗休养院")
    room_type = rooms.room_type(sanatorium, rooms=3)
    start = rooms.open_nights(room_type, days=20)
    today = timezone.localdate()
    in_range = (start - today).days + 10
    with pytest.raises(ValidationError) as caught:  # 1 room of room_type.beds beds cannot sleep 20 people
        pb.batch(prog, sanatorium, places=20, starts_in=in_range, room_type=room_type, rooms=1)
    assert "places" in caught.value.message_dict
    other = rooms.room_type(pb.sanatorium(orgs["province"], name="戊疗休养院"), name="别处")
    with pytest.raises(ValidationError) as caught:
        pb.batch(prog, sanatorium, places=2, starts_in=in_range, room_type=other, rooms=1)
    assert "room_type" in caught.value.message_dict
    with pytest.raises(Conflict):  # nights past the open season
        pb.batch(prog, sanatorium, places=2, starts_in=in_range + 30, room_type=room_type, rooms=1)
    with pytest.raises(Conflict):  # more rooms than the nights have
        pb.batch(prog, sanatorium, places=2, starts_in=in_range, room_type=room_type, rooms=4)
    assert not Batch.objects.filter(sanatorium=sanatorium).exists()
    assert not RoomNight.objects.filter(room_type=room_type, rooms_taken__gt=0).exists()


def test_sanatorium_staff_check_participants_in_and_see_only_who_comes(prog, orgs, city_officer):
    from bookings import programme_selectors

    sanatorium = pb.sanatorium(orgs["sibling"], name="乙市疗休养院")  # another city's sanatorium hosts the batch
    batch = pb.batch(prog, sanatorium, places=5)
    desk = factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER)
    going, waiting = factories.member(organisation=orgs["unit"]), factories.member(organisation=orgs["unit"])
    a = apps.application_submit(member=going, programme_id=prog.pk, batch_id=batch.pk)
    apps.application_submit(member=waiting, programme_id=prog.pk, batch_id=batch.pk)
    apps.application_approve(actor=city_officer, application_id=a.pk)
    apps.application_confirm(actor=city_officer, application_id=a.pk)
    assert [x.member for x in programme_selectors.batch_roster(actor=desk, batch_id=batch.pk)] == [going]
    assert list(programme_selectors.application_queue(actor=desk)) == []
    with pytest.raises(NotFound):
        apps.application_reject(actor=desk, application_id=a.pk, reason="x")
    Batch.objects.filter(pk=batch.pk).update(start_date=timezone.localdate(),
                                             applications_close=timezone.localdate() - timedelta(days=1))
    apps.participant_check_in(actor=desk, application_id=a.pk)
    assert Application.objects.get(pk=a.pk).status == ApplicationStatus.CHECKED_IN
    other_desk = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)
    with pytest.raises(NotFound):
        apps.participant_check_out(actor=other_desk, application_id=a.pk)


def test_superuser_sees_every_programme(prog, batch):
    from bookings import programme_selectors

    admin = factories.user()
    admin.is_superuser = True
    admin.save()
    assert list(programme_selectors.programme_list_for_staff(actor=admin)) == [prog]
    assert programme_selectors.batch_get_for_staff(actor=admin, batch_id=batch.pk) == batch
