"""One union world for the security suites: objects of the city union owned by one member and run by one
staff member, and every kind of actor the access matrix tries against them."""

from __future__ import annotations

from datetime import date

import pytest
from django.forms.models import model_to_dict
from rest_framework.test import APIClient

from bookings.models import Booking, Stay, WalkIn
from bookings.services import booking_create, calendar_feed_get_or_create, stay_create
from facilities.models import AssetRecord, FacilityPhoto, RoomNight, RoomTypePhoto
from portal.members.models import Dependant, Role, RoleGrant
from portal.members.permissions import forget_grants
from portal.members.services import role_grant
from portal.notifications.models import Message
from tests import factories
from tests.bookings import builders
from tests.facilities import rooms
from tests.logins import login, staff_client

# Strings only the owner (and the staff who answer for them) may ever see.
SENTINELS = {
    "owner_name": "王哨兵",
    "owner_email": "owner-sentinel@example.com",
    "owner_phone": "13912345678",
    "dependant": "刘哨兵家属",
    "message": "哨兵私信",
    "asset_note": "哨兵资产备注",
    "walkin_note": "哨兵散客备注",
}

ACTORS = ["anonymous", "unverified", "other_member", "no_totp", "revoked", "sibling", "parent", "owner_member",
          "owner_staff"]
# Actors who may see the owner's data: the owner, and staff whose subtree holds it.
TRUSTED = {"owner_member", "owner_staff", "parent"}


def _all_roles(user, organisation):
    for role in Role.values:
        if not RoleGrant.objects.filter(user=user, organisation=organisation, role=role).exists():
            role_grant(user=user, organisation=organisation, role=role)
    forget_grants(user)
    return user


def _payments(facility, owner):
    """Two of the owner's payments: one awaiting payment (held seat), one paid."""
    from django.utils import timezone

    from portal.payments.models import Payment, PaymentStatus

    paid_activity = builders.activity(facility, title="甲市油画班", price_fen=3000)
    held = booking_create(member=owner, session_id=builders.session(paid_activity, capacity=5).pk)
    paid = booking_create(member=owner, session_id=builders.session(paid_activity, capacity=5).pk)
    Payment.objects.filter(booking=paid).update(status=PaymentStatus.SUCCEEDED, succeeded_at=timezone.now(),
                                                stripe_payment_intent_id="pi_world_paid")
    return Payment.objects.get(booking=held), Payment.objects.get(booking=paid)


def _programmes(orgs, owner, officer, room_type):
    """A programme of the city union with one batch (a block of the city sanatorium's rooms), its root
    allocation and the owner's application."""
    from bookings.models import QuotaAllocation
    from bookings.services.applications import application_submit
    from tests.bookings import programme_builders

    programme = programme_builders.programme(orgs["city"], actor=officer, title="甲市职工疗休养")
    batch = programme_builders.batch(programme, room_type.facility, places=4, starts_in=10, nights=3,
                                     room_type=room_type, rooms=2)
    application = application_submit(member=owner, programme_id=programme.pk, batch_id=batch.pk)
    return {"programme": programme, "batch": batch, "application": application,
            "allocation": QuotaAllocation.objects.get(batch=batch, parent=None)}


def _stays(city, owner, dependant):
    """The city's sanatorium with a room type (open nights, a photo) and the owner's stay with a dependant."""
    from datetime import timedelta

    from django.utils import timezone

    sanatorium = rooms.sanatorium(city, name="甲市职工疗休养院")
    room_type = rooms.room_type(sanatorium, name="湖景双人间")
    rooms.open_nights(room_type, days=30)
    photo = RoomTypePhoto.objects.create(room_type=room_type, image="public/rooms/2025/lake.png", caption="湖景")
    today = timezone.localdate()
    stay = stay_create(member=owner, room_type_id=room_type.pk, check_in=today + timedelta(days=3),
                       check_out=today + timedelta(days=5), rooms=1, dependant_ids=[dependant.pk])
    return {"sanatorium": sanatorium, "room_type": room_type, "room_photo": photo, "stay": stay}
def _mutualaid(city, owner) -> dict:
    """The owner's cover under a city scheme, a claim with a photo, and a checked roster of a city union."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from mutualaid import services as aid
    from mutualaid.models import RosterImport, Scheme
    from tests.images import png_bytes

    today = timezone.localdate()
    scheme = Scheme.objects.create(
        organisation=city, title="甲市住院互助", kind="inpatient", status="open", term_start=today - timedelta(days=30),
        term_end=today + timedelta(days=334), contribution_fen=3000, max_shares=3, union_funded=True,
        enrolment_opens_on=today - timedelta(days=30), enrolment_closes_on=today + timedelta(days=30),
        per_day_allowance_fen=5000, cap_per_claim_fen=500000, cap_per_term_fen=1000000)
    enrolment = aid.enrolment_create(member=owner, scheme_id=scheme.pk, shares=1)
    claim = aid.claim_submit(member=owner, enrolment_id=enrolment.pk, event_type="hospitalisation",
                             amount_claimed_fen=80000, bank_name="甲市银行", bank_account="6222021234567890",
                             admission_on=today, discharge_on=today,
                             documents=[ContentFile(png_bytes(), name="发票.png")])
    report = default_storage.save("private/rosters/world-errors.csv", ContentFile("行,原因\n".encode("utf-8-sig")))
    roster = RosterImport.objects.create(scheme=scheme, organisation=owner.organisation, file="private/x.csv",
                                         original_name="名单.csv", status="valid", rows_total=1, rows_done=1,
                                         percent=100, matched_members=1, error_report=report)
    return {"scheme": scheme, "enrolment": enrolment, "claim": claim, "claim_document": claim.documents.get(),
            "roster": roster, "certificate_code": enrolment.certificate_code}


def _stats(city, owner_staff, *, with_file: bool = True) -> dict:
    """owner_staff's finished export (with its file) and a saved export template: private to them."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from portal.stats.models import Export, ExportTemplate

    template = ExportTemplate.objects.create(owner=owner_staff, organisation=city, name="每月汇总", kind="summary",
                                             format="csv", filters={"org": city.pk})
    export = Export.objects.create(requester=owner_staff, organisation=city, kind="summary", format="csv",
                                   filters={"org": city.pk}, status="done", progress=100, row_count=1,
                                   expires_at=timezone.now() + timedelta(days=7), finished_at=timezone.now())
    if with_file:
        export.file.save("summary.csv", ContentFile("\ufeff月份,人次\n2025-01,1\n".encode()), save=True)
    return {"stats_export": export, "stats_template": template}


@pytest.fixture
def world(orgs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    facility = builders.palace(orgs["city"], name="甲市工人文化宫")
    venue = builders.venue(facility, name="舞蹈教室")
    activity = builders.activity(facility, title="甲市书法班", venue=venue)
    session = builders.session(activity, capacity=10)
    owner = factories.member(organisation=orgs["unit"], real_name=SENTINELS["owner_name"],
                             email=SENTINELS["owner_email"], phone="+86" + SENTINELS["owner_phone"])
    booking = booking_create(member=owner, session_id=session.pk, seats=1, waitlist=False)
    dependant = Dependant.objects.create(member=owner, name=SENTINELS["dependant"], relation="child",
                                         birth_date=date(2015, 5, 1))
    message = Message.objects.create(user=owner.user, kind="test", title=SENTINELS["message"],
                                     body=SENTINELS["message"])
    feed = calendar_feed_get_or_create(member=owner)
    asset = AssetRecord.objects.create(facility=facility, year=2025, book_value_fen=100, land_area_m2=1,
                                       floor_area_m2=1, title_status="held", operating_mode="self_run",
                                       notes=SENTINELS["asset_note"])
    photo = FacilityPhoto.objects.create(facility=facility, image="facilities/2025/hall.png", caption="大厅")
    owner_staff = _all_roles(factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER), orgs["city"])
    walkin = WalkIn.objects.create(facility=facility, date=date.today(), persons=3, note=SENTINELS["walkin_note"],
                                   recorded_by=owner_staff)
    payment, paid_payment = _payments(facility, owner)
    stays = _stays(orgs["city"], owner, dependant)
    return {
        **stays, **_mutualaid(orgs["city"], owner),
        "payment": payment, "paid_payment": paid_payment,
        "orgs": orgs, "city": orgs["city"], "facility": facility, "venue": venue, "activity": activity,
        "session": session, "booking": booking, "ticket": booking.ticket_code or "NO-TICKET", "member": owner,
        "owner": owner, "dependant": dependant, "message": message, "feed_token": feed.token, "asset": asset,
        "photo": photo, "walkin": walkin, "owner_staff": owner_staff,
        **_programmes(orgs, owner, owner_staff, stays["room_type"]), **_stats(orgs["city"], owner_staff),
    }


def _revoked(orgs):
    """Signed in with password and TOTP while holding a grant, which is then withdrawn."""
    user = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)
    client = staff_client(user)
    RoleGrant.objects.filter(user=user).delete()
    return client


@pytest.fixture
def actor_client(world):
    """actor name -> a client signed in the way that person would sign in (None: anonymous)."""
    orgs = world["orgs"]

    def make(name: str) -> APIClient:
        if name == "anonymous":
            return APIClient()
        if name == "unverified":
            return login(factories.member(organisation=orgs["unit2"], verified=False).user)
        if name == "other_member":
            return login(factories.member(organisation=orgs["unit"]).user)
        if name == "owner_member":
            return login(world["owner"].user)
        if name == "no_totp":
            user = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, mfa=False)
            return login(_all_roles(user, orgs["city"]))
        if name == "revoked":
            return _revoked(orgs)
        if name == "sibling":
            user = factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER)
            return staff_client(_all_roles(user, orgs["sibling"]))
        if name == "parent":
            user = factories.staff(organisation=orgs["province"], role=Role.FACILITY_MANAGER)
            return staff_client(_all_roles(user, orgs["province"]))
        if name == "owner_staff":
            return staff_client(world["owner_staff"])
        raise KeyError(name)

    return make


def fingerprint(world) -> dict:
    """The owner's and the city's rows as stored: an actor without rights must leave every one unchanged."""
    out = {}
    for key in ("facility", "venue", "activity", "session", "booking", "owner", "dependant", "message", "asset",
                "photo", "walkin", "payment", "paid_payment", "sanatorium", "room_type", "room_photo", "stay",
                "programme", "batch", "allocation", "application", "scheme", "enrolment", "claim", "roster"):
        obj = world[key]
        row = type(obj)._default_manager.filter(pk=obj.pk).first()
        out[key] = model_to_dict(row) if row is not None else None
    facility, owner = world["facility"], world["owner"]
    out["counts"] = {
        "venues": facility.venues.count(), "activities": facility.activities.count(),
        "photos": FacilityPhoto.objects.filter(facility=facility).count(),
        "assets": AssetRecord.objects.filter(facility=facility).count(),
        "walkins": WalkIn.objects.filter(facility=facility).count(),
        "sessions": world["activity"].sessions.count(),
        "bookings": Booking.objects.filter(session__activity__facility=facility).count(),
        "dependants": owner.dependants.count(),
        "messages_unread": Message.objects.filter(user=owner.user, read_at__isnull=True).count(),
        "grants": RoleGrant.objects.filter(organisation__path__startswith=world["city"].path).count(),
        "room_nights": list(RoomNight.objects.filter(room_type=world["room_type"]).order_by("date").values_list(
            "rooms_open", "rooms_taken")),
        "room_photos": RoomTypePhoto.objects.filter(room_type=world["room_type"]).count(),
        "stays": list(Stay.objects.filter(room_type=world["room_type"]).values_list("status", flat=True)),
    }
    return out
