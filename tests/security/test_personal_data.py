"""Personal data: drive the flows with the demo data and grep everything the server said.

Captured: every response body (pages, API, CSV, ICS), the server log at DEBUG for every logger (SQL
included), e-mails and SMS texts. Rules (docs/security.md, "Personal data"):
- a resident ID number appears nowhere, ever: not the demo members', not those typed in by this test;
- a full phone number appears only where the task needs it: the member's own profile and account pages,
  the staff member page (console and API detail) and the Django admin for superusers; everywhere else it is
  masked (138****0001, portal.privacy.mask_phone). Logs carry no full phone either, except the SQL that
  stores it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings
from django.urls import Resolver404, resolve
from stdnum.cn import ric

from bookings.models import Booking, BookingStatus, Stay
from bookings.services import calendar_feed_get_or_create
from facilities.models import AssetRecord, FacilityPhoto, RoomType, RoomTypePhoto
from portal.members.demo import MEMBERS, _id_number
from portal.members.models import Member, Organisation, User
from portal.notifications.models import Message
from portal.notifications.sms import LocmemSmsBackend
from portal.privacy import mask_id_number, mask_phone
from tests.logins import login

from .conftest import _payments, _stats
from .routes import all_routes
from .test_access_matrix import ROUTES, url_for

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "demo-pass-2026"
DEMO_TOTP = "JBSWY3DPEHPK3PXP"


def _valid_id(region: str, birth: str, seq: str) -> str:
    body = f"{region}{birth}{seq}"
    return next(body + c for c in "0123456789X" if ric.is_valid(body + c))


DEMO_IDS = [_id_number(*spec["id_seed"]) for spec in MEMBERS if "id_seed" in spec]
OWN_IDS = [_valid_id("330106", "19900101", "456"), _valid_id("330106", "19910202", "457"),
           _valid_id("330106", "19920303", "458"), _valid_id("330106", "19930404", "459")]

# Where a member's full phone number belongs.
SELF_ROUTES = {"frontend:profile", "frontend:profile_edit", "me"}
STAFF_DETAIL_ROUTES = {"frontend:console:member_detail", "staff-member-detail"}
_GLUE = re.compile(r"(?<=\d)[\s\-\u00a0\u2009\u202f]+(?=\d)")  # "138 0000 0001" is still the number


def _national(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


@dataclass
class Actor:
    name: str
    phone: str = ""  # national digits of the actor's own phone, if any
    staff: bool = False
    superuser: bool = False


@dataclass
class Capture:
    responses: list = field(default_factory=list)  # (actor, method, path, route, group, text)

    def client(self, actor: Actor, user=None, **login_kwargs):
        capture = self
        from rest_framework.test import APIClient

        class Recording(APIClient):
            def request(self, **request):
                response = super().request(**request)
                capture.record(actor, request, response)
                return response

        client = Recording()
        if user is not None:
            login(user, client=client, **login_kwargs)
        return client

    def record(self, actor: Actor, request: dict, response) -> None:
        path = request.get("PATH_INFO", "")
        try:
            match = resolve(path)
            route, group = match.view_name, next((r.group for r in all_routes() if r.name == match.view_name), None)
        except Resolver404:
            route, group = "", None
        if path.startswith("/admin/"):
            group = "admin"
        elif path.startswith(("/accounts/", "/_allauth/")):
            group = "allauth"
        body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
        self.responses.append((actor, request.get("REQUEST_METHOD", ""), path, route, group,
                               body.decode("utf-8", errors="ignore")))


def _phone_allowed(actor: Actor, phone: str, route: str, group: str | None) -> bool:
    if group == "admin":
        return actor.superuser
    if group == "allauth" or route in SELF_ROUTES:
        return phone == actor.phone  # the account's own sign-up, login and profile pages
    return route in STAFF_DETAIL_ROUTES and actor.staff


def _violations(capture: Capture, caplog, phones: set[str]) -> list[str]:
    ids = set(DEMO_IDS + OWN_IDS)
    ids |= {i.lower() for i in ids}
    out = []
    for actor, method, path, route, group, text in capture.responses:
        flat = _GLUE.sub("", text)
        out += [f"ID {i} in {method} {path} ({actor.name})" for i in ids if i in text]
        out += [f"phone {p} in {method} {path} [{route}] ({actor.name})" for p in phones
                if p in flat and not _phone_allowed(actor, p, route, group)]
    for record in caplog.records:
        text = f"{record.name} {record.getMessage()}"
        out += [f"ID {i} in the log: {text[:160]}" for i in ids if i in text]
        if not record.name.startswith("django.db.backends"):  # SQL storing a phone is where it belongs
            out += [f"phone {p} in the log: {text[:160]}" for p in phones if p in _GLUE.sub("", text)]
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}\n" + "\n".join(a[0] for a in message.alternatives)
        out += [f"ID {i} in the e-mail {message.subject!r}" for i in ids if i in text]
        out += [f"phone {p} in the e-mail {message.subject!r}" for p in phones if p in _GLUE.sub("", text)]
    for _phone, text in LocmemSmsBackend.outbox:
        out += [f"ID {i} in an SMS" for i in ids if i in text]
    return out


@pytest.fixture
def demo(caplog):
    caplog.set_level(logging.DEBUG)
    connection.force_debug_cursor = True  # the SQL log is part of what must not hold an ID number
    with override_settings(SMS_BACKEND="portal.notifications.sms.ConsoleSmsBackend"):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield
    connection.force_debug_cursor = False


def _demo_stay_world(member: Member) -> dict:
    """The member's demo stay (or the first room type, when the demo has no stay), its room type and a photo."""
    stay = Stay.objects.filter(member=member).select_related("room_type__facility").order_by("pk").first()
    room_type = stay.room_type if stay else RoomType.objects.select_related("facility").order_by("pk").first()
    photo = RoomTypePhoto.objects.filter(room_type=room_type).first() or RoomTypePhoto.objects.create(
        room_type=room_type, image="public/rooms/demo/room.png", caption="客房")
    return {"sanatorium": room_type.facility, "room_type": room_type, "room_photo": photo,
            "stay": stay or Stay.objects.order_by("pk").first()}


def _demo_world() -> dict:
    """The demo objects behind each URL kwarg the access matrix names (see its ROUTES and world)."""
    member = Member.objects.get(user__email="member@example.com")
    booking = Booking.objects.filter(member=member, status=BookingStatus.CONFIRMED).select_related(
        "session__activity__facility").first()
    session = booking.session
    facility = session.activity.facility
    photo = FacilityPhoto.objects.filter(facility=facility).first() or FacilityPhoto.objects.create(
        facility=facility, image="facilities/demo/hall.png", caption="大厅")
    message = Message.objects.filter(user=member.user).first() or Message.objects.create(
        user=member.user, kind="test", title="测试", body="测试")
    payment, paid_payment = _payments(facility, member)
    return {
        **_demo_stay_world(member), **_demo_mutualaid(member),
        **_stats(facility.organisation, User.objects.get(email="stats@example.com"), with_file=False),
        "payment": payment, "paid_payment": paid_payment,
        "member": member, "owner": member, "booking": booking, "ticket": booking.ticket_code, "session": session,
        "activity": session.activity, "facility": facility, "venue": facility.venues.first(),
        "asset": AssetRecord.objects.filter(facility=facility).first(), "photo": photo,
        "dependant": member.dependants.first(), "message": message, "city": facility.organisation,
        "feed_token": calendar_feed_get_or_create(member=member).token,
        **_demo_programme_world(member),
    }


def _demo_mutualaid(member) -> dict:
    """member@example.com's cover, claim and claim document, and a roster import, as the demo has them (the
    page list's helper makes them when it has none)."""
    from mutualaid.models import Claim, Enrolment, RosterImport
    from tests.frontend.pages import _demo_mutualaid as ids

    found = ids()
    enrolment = Enrolment.objects.select_related("scheme").get(pk=found["aid_enrolment"])
    claim = Claim.objects.get(pk=found["aid_claim"])
    return {"scheme": enrolment.scheme, "enrolment": enrolment, "claim": claim,
            "claim_document": claim.documents.first(), "roster": RosterImport.objects.get(pk=found["aid_roster"]),
            "certificate_code": enrolment.certificate_code}


def _demo_programme_world(member) -> dict:
    """The demo programme's objects: member@example.com's application, its batch, programme and root allocation."""
    from bookings.models import Application, QuotaAllocation

    application = Application.objects.filter(member=member).select_related("batch__programme").first()
    return {"application": application, "batch": application.batch, "programme": application.batch.programme,
            "allocation": QuotaAllocation.objects.get(batch=application.batch, parent=None)}


def _walk_every_get_route(capture: Capture, actor: Actor, client, world: dict) -> None:
    routes = {r.name: r for r in all_routes() if r.group is None}
    for name, entry in sorted(ROUTES.items()):
        if "GET" in entry.methods.split() and name in routes:
            url = url_for(routes[name], entry, world)
            client.get(url)
            if entry.filter:
                client.get(url, {k: getattr(world.get(v[1:]), "pk", v) for k, v in entry.filter.items()})
    client.get("/console/members/", {"status": "all"})


def _sign_up_and_edit_the_profile(capture: Capture, unit: Organisation) -> Member:
    """A newcomer signs up with a resident ID (one failed attempt first), confirms the e-mail code, edits the
    profile (again with a mistake first) and sets another ID through the API."""
    phone = "13912340071"
    actor = Actor("newcomer", phone=phone)
    client = capture.client(actor)
    client.get("/accounts/signup/")
    form = {"email": "pd-new@example.com", "phone": phone, "real_name": "赵隐私", "organisation": unit.pk,
            "id_number": OWN_IDS[0], "password1": "a-Long-pass-2026", "password2": "a-Different-2026"}
    assert client.post("/accounts/signup/", form).status_code == 200  # passwords differ: the form comes back
    form["password2"] = form["password1"]
    response = client.post("/accounts/signup/", form)
    assert response.status_code == 302, response.content[:500]
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    assert client.post(response["Location"], {"code": code}).status_code == 302
    client.get("/me/")
    client.get("/me/edit/")
    edit = {"real_name": "赵隐私", "organisation": unit.pk, "phone": "12345", "id_number": OWN_IDS[1]}
    assert client.post("/me/edit/", edit).status_code == 200  # a bad phone: the form comes back
    client.get("/me/edit/")
    client.get("/api/v1/me/")
    assert client.patch("/api/v1/me/", {"id_number": OWN_IDS[2][:-1] + "0"}, format="json").status_code == 400
    client.get("/api/v1/me/access-log/")

    app = capture.client(Actor("app-newcomer", phone="13912340072"))
    app.post("/_allauth/app/v1/auth/signup", {"email": "not-an-email", "phone": "13912340072",
                                              "password": "Strong-pass-2026", "real_name": "钱应用",
                                              "organisation": unit.pk, "id_number": OWN_IDS[3]}, format="json")
    return Member.objects.get(user__email="pd-new@example.com")


def test_no_resident_id_anywhere_and_full_phones_only_where_needed(demo, caplog):
    capture = Capture()
    unit = Organisation.objects.get(name="杭州钢铁集团工会")
    newcomer = _sign_up_and_edit_the_profile(capture, unit)
    world = _demo_world()

    member_user = User.objects.get(email="member@example.com")
    member = capture.client(Actor("member", phone=_national(member_user.phone)), member_user, password=DEMO_PASSWORD)
    member.post("/api/v1/bookings/", {"session": world["session"].pk, "seats": 1}, format="json")
    _walk_every_get_route(capture, Actor("member", phone=_national(member_user.phone)), member, world)

    for email in ("officer@example.com", "palace@example.com", "admin@example.com"):
        user = User.objects.get(email=email)
        actor = Actor(email.split("@")[0], staff=True, superuser=user.is_superuser)
        client = capture.client(actor, user, password=DEMO_PASSWORD, secret=DEMO_TOTP)
        _walk_every_get_route(capture, actor, client, world)
        client.get(f"/console/members/{newcomer.pk}/")
        client.get(f"/api/v1/staff/members/{newcomer.pk}/")
        client.get("/api/v1/staff/members/", {"status": "all", "page_size": 100})
        if user.is_superuser:
            client.get("/admin/members/member/")
            client.get(f"/admin/members/member/{world['member'].pk}/change/")
            client.get("/admin/members/user/")

    phones = {_national(p) for p in User.objects.exclude(phone=None).values_list("phone", flat=True)}
    assert len(capture.responses) > 150 and "13800000001" in phones
    violations = _violations(capture, caplog, phones)
    assert not violations, f"{len(violations)} leaks of personal data:\n" + "\n".join(sorted(set(violations)))

    # The walk really looked at the pages where the numbers belong, and saw them masked elsewhere.
    seen = {(a.name, route) for a, _m, _p, route, _g, text in capture.responses if "13800000001" in _GLUE.sub("", text)}
    assert ("member", "frontend:profile") in seen and ("officer", "frontend:console:member_detail") in seen
    assert any("138****0001" in text for *_rest, text in capture.responses)


def test_the_mask_helpers():
    assert mask_phone("+8613800000001") == "138****0001"
    assert mask_phone("138 0000 0001") == "138****0001"
    assert mask_phone("") == "" and mask_phone(None) == ""
    assert mask_id_number("11010519491231002X") == "**************002X"


def test_the_console_sms_backend_logs_a_masked_number(caplog):
    from portal.notifications.sms import ConsoleSmsBackend

    caplog.set_level(logging.INFO)
    ConsoleSmsBackend().send(phone="+8613800000001", text="您的预约已确认")
    assert "138****0001" in caplog.text and "13800000001" not in caplog.text
