"""Walk every console URL as an outsider and expect 403 (lists, pages) or 404 (objects), never data."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from bookings.models import QuotaAllocation
from bookings.services import booking_create, stay_create
from bookings.services.applications import application_submit
from facilities.models import AssetRecord, FacilityPhoto, Venue
from frontend.urls import console_patterns
from portal.members.models import Role
from portal.members.services import role_grant
from portal.stats.exports.services import export_request
from tests import factories
from tests.bookings import builders, programme_builders
from tests.facilities import rooms

from .conftest import client_for

pytestmark = pytest.mark.django_db

POST_ROUTES = ("member_verify", "member_reject", "photo_delete", "quota_allocate", "quota_hand_back",
               "participant_check", "room_type_photo_delete", "stay_check_in", "stay_check_out", "stats_template_run")


@pytest.fixture
def objects(people, orgs):
    """One object of each kind the console addresses, all inside the city's subtree."""
    facility = builders.palace(orgs["city"], name="甲市工人文化宫")
    builders.venue(facility)
    activity = builders.activity(facility, title="甲市书法班", venue=facility.venues.first())
    session = builders.session(activity)
    asset = AssetRecord.objects.create(facility=facility, year=2025, book_value_fen=100, land_area_m2=1,
                                       floor_area_m2=1, title_status="held", operating_mode="self_run")
    photo = FacilityPhoto.objects.create(facility=facility, image="facilities/2025/hall.png", caption="甲市大厅")
    paid = builders.session(builders.activity(facility, title="甲市油画班", price_fen=3000))
    booking = booking_create(member=people["member"], session_id=paid.pk)  # held for payment: a Payment
    return {"member": people["pending"].pk, "facility": facility.pk, "activity": activity.pk,
            "session": session.pk, "venue": facility.venues.first().pk, "asset": asset.pk, "photo": photo.pk,
            "payment": booking.payment.pk, **_programme_objects(people, orgs), **_stay_objects(people, orgs),
            **_mutualaid(orgs, people["member"]), **_stats_objects(orgs)}


def _stay_objects(people, orgs) -> dict:
    """A room type of a city sanatorium (open nights) and a city member's stay in it ("room": a room type's id,
    which as a photo id answers 404 like any absent object)."""
    room_type = rooms.room_type(rooms.sanatorium(orgs["city"], name="甲市职工疗休养院"), name="甲市湖景房")
    rooms.open_nights(room_type, days=30)
    today = timezone.localdate()
    stay = stay_create(member=people["member"], room_type_id=room_type.pk, check_in=today + timedelta(days=3),
                       check_out=today + timedelta(days=5), rooms=1, dependant_ids=[])
    return {"room": room_type.pk, "stay": stay.pk}


def _programme_objects(people, orgs) -> dict:
    """A programme of the city union, its batch and root allocation, and a city member's application."""
    programme = programme_builders.programme(orgs["city"], title="甲市职工疗休养")
    batch = programme_builders.batch(programme, programme_builders.sanatorium(orgs["city"], name="甲市疗休养院"))
    application = application_submit(member=people["member"], programme_id=programme.pk, batch_id=batch.pk)
    return {"programme": programme.pk, "batch": batch.pk, "application": application.pk,
            "participant": application.pk, "quota": QuotaAllocation.objects.get(batch=batch, parent=None).pk}


def _mutualaid(orgs, member) -> dict:
    """A city scheme, the member's cover and claim with a document, and a checked roster of a city union."""
    from django.core.files.base import ContentFile

    from mutualaid import services
    from mutualaid.models import RosterImport
    from tests.images import png_bytes

    from .test_mutualaid_pages import make_scheme

    scheme = make_scheme(orgs["city"])
    enrolment = services.enrolment_create(member=member, scheme_id=scheme.pk, shares=1)
    today = enrolment.cover_starts_on
    claim = services.claim_submit(member=member, enrolment_id=enrolment.pk, event_type="hospitalisation",
                                  amount_claimed_fen=1000, bank_name="甲市银行", bank_account="6222021234567890",
                                  admission_on=today, discharge_on=today,
                                  documents=[ContentFile(png_bytes(), name="invoice.png")])
    roster = RosterImport.objects.create(scheme=scheme, organisation=orgs["unit"], file="private/x.csv",
                                         original_name="名单.csv", status="valid", rows_total=1)
    return {"scheme": scheme.pk, "roster": roster.pk, "claim": claim.pk, "doc": claim.documents.get().pk}


def _stats_objects(orgs) -> dict:
    """One export of a city statistician's (private to them)."""
    statistician = factories.staff(organisation=orgs["city"], role=Role.STATISTICIAN)
    export = export_request(actor=statistician, kind="summary", fmt="csv", filters={"org": orgs["city"].pk})
    return {"stats": export.pk}


def console_urls(objects: dict) -> list[tuple[str, str, str]]:
    """(route name, method, url) for every console route, objects filled in from `objects`."""
    urls = []
    for pattern in console_patterns[0]:
        assert isinstance(pattern, URLPattern)
        kwargs = {}
        if "pk" in pattern.pattern.converters:
            kwargs["pk"] = objects[pattern.name.split("_")[0]]
        if "doc" in pattern.pattern.converters:
            kwargs["doc"] = objects["doc"]
        method = "post" if pattern.name in POST_ROUTES else "get"
        urls.append((pattern.name, method, reverse(f"frontend:console:{pattern.name}", kwargs=kwargs)))
    return urls


def test_every_console_route_is_walked(objects):
    walked = {name for name, _m, _u in console_urls(objects)}
    assert walked == {p.name for p in console_patterns[0]}
    assert {"today", "members", "activities", "activity_schedule", "session_detail", "checkin", "facility_edit",
            "facility_create", "venue_detail", "asset_detail", "photo_delete"} <= walked


def test_anonymous_users_are_sent_to_login(objects):
    for _name, method, url in console_urls(objects):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_members_get_403_on_every_console_url(people, objects):
    client = client_for(people["member"].user)
    for _name, method, url in console_urls(objects):
        response = getattr(client, method)(url, {"reason": "x"} if method == "post" else None)
        assert response.status_code == 403, url
        assert b"site-header" in response.content  # our own 403 page, not a bare one
    people["pending"].refresh_from_db()
    assert people["pending"].verification_status == "pending"
    assert FacilityPhoto.objects.filter(pk=objects["photo"]).exists()


def test_staff_without_mfa_are_sent_to_totp_setup(people, objects):
    client = client_for(people["no_mfa"])
    for _name, method, url in console_urls(objects):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url


@pytest.fixture
def sibling_staff(orgs):
    """Staff of the sibling city holding every role there, so only the subtree check can stop them."""
    user = factories.staff(organisation=orgs["sibling"], role=Role.UNION_OFFICER)
    for role in (Role.FACILITY_MANAGER, Role.MUTUALAID_OFFICER, Role.STATISTICIAN):
        role_grant(user=user, organisation=orgs["sibling"], role=role)
    return user


def test_sibling_union_staff_get_404_for_objects_and_never_see_foreign_lists(people, orgs, objects, sibling_staff):
    client = client_for(sibling_staff)
    for name, method, url in console_urls(objects):
        response = getattr(client, method)(url, {"reason": "no", "action": "cancel"} if method == "post" else None)
        if "<id:pk>" in str(next(p.pattern for p in console_patterns[0] if p.name == name)):
            assert response.status_code == 404, url
        else:
            assert response.status_code == 200, url
            body = b"".join(response.streaming_content) if response.streaming else response.content
            html = body.decode(errors="ignore")  # CSV/XLSX exports stream
            for foreign in ("张待审", "王会员", "甲市书法班", "甲市工人文化宫", "甲市湖景房", "甲市职工疗休养院"):
                assert foreign not in html, (url, foreign)
    # Asking for a list of a union outside their subtree is refused outright.
    response = client.get(reverse("frontend:console:members"), {"org": orgs["city"].pk, "status": "all"})
    assert response.status_code == 403
    people["pending"].refresh_from_db()
    assert people["pending"].verification_status == "pending"
    assert FacilityPhoto.objects.filter(pk=objects["photo"]).exists()


def test_sibling_union_staff_cannot_write_facility_objects(orgs, objects, sibling_staff):
    """Posting to the edit pages of another union's facility, venue or asset record is 404 and changes nothing."""
    client = client_for(sibling_staff)
    posts = {
        "facility_edit": {"name": "被改了", "address": "", "region_code": "330200", "status": "open"},
        "venue_detail": {"action": "delete"},
        "asset_detail": {"book_value_yuan": "1", "land_area_m2": "1", "floor_area_m2": "1", "title_status": "held",
                         "operating_mode": "self_run"},
        "photo_delete": {},
    }
    for name, data in posts.items():
        url = reverse(f"frontend:console:{name}", args=[objects[name.split("_")[0]]])
        assert client.post(url, data).status_code == 404, url
    # Creating a facility under a union outside their subtree is not offered, so the form refuses it.
    response = client.post(reverse("frontend:console:facility_create"), {
        "organisation": orgs["city"].pk, "kind": "palace", "name": "乙市偷建", "region_code": "330100",
        "status": "open"})
    assert response.status_code == 400
    from facilities.models import Facility

    assert not Facility.objects.filter(name__in=["被改了", "乙市偷建"]).exists()
    assert Venue.objects.filter(pk=objects["venue"]).exists()
    assert FacilityPhoto.objects.filter(pk=objects["photo"]).exists()
    assert AssetRecord.objects.get(pk=objects["asset"]).book_value_fen == 100


def test_unknown_member_is_404_for_staff(people):
    client = client_for(people["officer"])
    assert client.get(reverse("frontend:console:member_detail", args=[999999])).status_code == 404
    assert client.post(reverse("frontend:console:member_verify", args=[999999])).status_code == 404


def test_roles_see_only_their_areas(people, objects):
    palace = client_for(people["palace"])
    today = palace.get(reverse("frontend:console:today")).content.decode()
    assert reverse("frontend:console:members") not in today
    assert reverse("frontend:console:activities") in today
    for name, method, url in console_urls(objects):
        if name.startswith(("member", "mutualaid", "scheme", "roster", "enrolment", "claim")):
            assert getattr(palace, method)(url).status_code == 403, url
    officer = client_for(people["officer"])
    for name, method, url in console_urls(objects):
        if name.startswith(("facilit", "activit", "checkin", "venue", "asset", "photo", "room", "stay")):
            assert getattr(officer, method)(url).status_code == 403, url
