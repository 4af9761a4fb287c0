"""facility_create / facility_update and the staff getters: field errors save nothing, other unions get 404."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from facilities import selectors, services
from facilities.models import AssetRecord, Facility, FacilityPhoto
from portal.errors import NotFound
from portal.members.models import Role
from tests import factories
from tests.bookings import builders

pytestmark = pytest.mark.django_db

GOOD = {"name": "甲县职工文化中心", "address": "人民路 8 号", "region_code": "330122", "latitude": "30.274085",
        "longitude": "120.155070", "opening_hours": "09:00–21:00", "contact": "0571-88888888",
        "description": "三层，含剧场", "accessibility": "无障碍坡道，电梯", "status": "open"}


@pytest.fixture
def manager(orgs):
    return factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)


@pytest.fixture
def sibling_manager(orgs):
    return factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER)


def test_create_in_a_union_below_the_actor(manager, orgs):
    facility = services.facility_create(actor=manager, organisation=orgs["county"], data={**GOOD, "kind": "palace"})
    facility.refresh_from_db()
    assert facility.organisation == orgs["county"] and facility.kind == "palace"
    assert facility.latitude == Decimal("30.274085") and facility.region_code == "330122"
    assert facility.accessibility == "无障碍坡道，电梯"


def test_create_strips_text_and_defaults_to_a_palace(manager, orgs):
    facility = services.facility_create(actor=manager, organisation=orgs["city"],
                                        data={"name": "  甲市剧场 ", "region_code": "330100"})
    assert facility.name == "甲市剧场" and facility.kind == "palace" and facility.status == "open"
    assert facility.latitude is None and facility.longitude is None
    services.facility_update(actor=manager, facility_id=facility.pk, data={"address": None, "latitude": None,
                                                                           "longitude": None})
    facility.refresh_from_db()
    assert facility.address == ""


@pytest.mark.parametrize(("data", "field"), [
    ({"region_code": "33010"}, "region_code"),
    ({"region_code": "33a100"}, "region_code"),
    ({"region_code": ""}, "region_code"),
    ({"name": "   "}, "name"),
    ({"latitude": "91", "longitude": "120"}, "latitude"),
    ({"latitude": "30", "longitude": "-181"}, "longitude"),
    ({"latitude": "north"}, "latitude"),
    ({"latitude": "30.1", "longitude": ""}, "longitude"),
    ({"latitude": "", "longitude": "120.1"}, "latitude"),
    ({"status": "demolished"}, "status"),
    ({"kind": "stadium"}, "kind"),
    ({"organisation": 1}, "organisation"),
    ({"contact": "x" * 101}, "contact"),
    ({"name": None}, "name"),
])
def test_create_bad_input_is_a_field_error_and_saves_nothing(manager, orgs, data, field):
    with pytest.raises(ValidationError) as exc:
        services.facility_create(actor=manager, organisation=orgs["city"], data={**GOOD, **data})
    assert field in exc.value.message_dict
    assert not Facility.objects.exists()


def test_create_outside_the_subtree_is_404(manager, sibling_manager, orgs):
    for actor, organisation in ((manager, orgs["sibling"]), (sibling_manager, orgs["city"]),
                                (manager, orgs["province"])):
        with pytest.raises(NotFound):
            services.facility_create(actor=actor, organisation=organisation, data=GOOD)
    assert not Facility.objects.exists()


def test_create_needs_the_facility_role(orgs):
    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    member = factories.member(organisation=orgs["unit"])
    for actor in (officer, member.user):
        with pytest.raises(NotFound):
            services.facility_create(actor=actor, organisation=orgs["unit"], data=GOOD)
    assert not Facility.objects.exists()


def test_update_changes_the_facility_own_fields(manager, orgs):
    facility = builders.palace(orgs["county"], name="甲县工人文化宫")
    updated = services.facility_update(actor=manager, facility_id=facility.pk, data={
        "name": "甲县工人文化宫（新馆）", "status": "renovation", "latitude": "30.1", "longitude": "120.2",
        "opening_hours": "周二至周日 9:00–17:00", "accessibility": "轮椅可达"})
    facility.refresh_from_db()
    assert updated.pk == facility.pk
    assert facility.name == "甲县工人文化宫（新馆）" and facility.status == "renovation"
    assert facility.latitude == Decimal("30.1") and facility.accessibility == "轮椅可达"
    assert facility.organisation == orgs["county"] and facility.address == "解放路 1 号"


@pytest.mark.parametrize(("data", "field"), [
    ({"region_code": "3301001"}, "region_code"),
    ({"name": ""}, "name"),
    ({"latitude": "-90.5", "longitude": "0"}, "latitude"),
    ({"kind": "sanatorium"}, "kind"),
    ({"organisation": 99}, "organisation"),
    ({"status": ""}, "status"),
])
def test_update_bad_input_is_a_field_error_and_changes_nothing(manager, orgs, data, field):
    facility = builders.palace(orgs["city"], name="甲市工人文化宫")
    before = Facility.objects.filter(pk=facility.pk).values().get()
    with pytest.raises(ValidationError) as exc:
        services.facility_update(actor=manager, facility_id=facility.pk, data={"address": "新地址", **data})
    assert field in exc.value.message_dict
    assert Facility.objects.filter(pk=facility.pk).values().get() == before


def test_update_outside_the_subtree_or_unknown_is_404(manager, sibling_manager, orgs):
    ours = builders.palace(orgs["city"], name="甲市工人文化宫")
    theirs = builders.palace(orgs["sibling"], name="乙市工人文化宫")
    for actor, facility_id in ((sibling_manager, ours.pk), (manager, theirs.pk), (manager, 999999)):
        with pytest.raises(NotFound):
            services.facility_update(actor=actor, facility_id=facility_id, data={"name": "改名"})
    assert set(Facility.objects.values_list("name", flat=True)) == {"甲市工人文化宫", "乙市工人文化宫"}


def test_staff_getters_are_404_outside_the_subtree(manager, sibling_manager, orgs):
    facility = builders.palace(orgs["city"])
    venue = builders.venue(facility)
    record = AssetRecord.objects.create(facility=facility, year=2024, book_value_fen=1, land_area_m2=1,
                                        floor_area_m2=1, title_status="held", operating_mode="self_run")
    photo = FacilityPhoto.objects.create(facility=facility, image="facilities/2024/a.png")
    assert selectors.staff_venue_get(actor=manager, venue_id=venue.pk) == venue
    assert selectors.staff_asset_record_get(actor=manager, record_id=record.pk) == record
    assert selectors.staff_photo_get(actor=manager, photo_id=photo.pk) == photo
    for getter, key, pk in ((selectors.staff_venue_get, "venue_id", venue.pk),
                            (selectors.staff_asset_record_get, "record_id", record.pk),
                            (selectors.staff_photo_get, "photo_id", photo.pk)):
        with pytest.raises(NotFound):
            getter(actor=sibling_manager, **{key: pk})
        with pytest.raises(NotFound):
            getter(actor=manager, **{key: 999999})


def test_venue_update_can_take_a_venue_out_of_use(manager, orgs):
    venue = builders.venue(builders.palace(orgs["city"]))
    services.venue_update(actor=manager, venue=venue, data={"active": False})
    venue.refresh_from_db()
    assert venue.active is False
    assert not selectors.facility_get(facility_id=venue.facility_id).venues.all()
