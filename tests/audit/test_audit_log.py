"""The audit log records staff writes, logins, exports and opened member records, for every route."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from bookings.services import booking_create
from facilities.models import Venue
from portal.audit.models import AuditAction, AuditEvent
from portal.audit.redact import REDACTED, redact
from portal.members.models import Role, User
from tests import factories
from tests.bookings import builders
from tests.logins import login, staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(orgs):
    palace = builders.palace(orgs["city"], name="甲市工人文化宫")
    venue = builders.venue(palace, name="舞蹈教室")
    session = builders.session(builders.activity(palace, venue=venue), capacity=5)
    member = factories.member(organisation=orgs["unit"], real_name="王读者", phone="+8613900001111")
    other = factories.member(organisation=orgs["unit"], real_name="李旁人")
    booking_create(member=member, session_id=session.pk, seats=1, waitlist=False)
    return {
        "palace": palace, "venue": venue, "session": session, "member": member, "other": other,
        "manager": factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER, email="mgr@example.com"),
        "officer": factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, email="off@example.com"),
        "sibling": factories.staff(organisation=orgs["sibling"], role=Role.UNION_OFFICER, email="sib@example.com"),
        "parent": factories.staff(organisation=orgs["province"], role=Role.STATISTICIAN, email="prov@example.com"),
    }


def events(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def test_a_console_write_records_actor_object_and_change(world, orgs):
    client = staff_client(world["manager"])
    url = reverse("frontend:console:facility_edit", args=[world["palace"].pk])
    response = client.post(url, {"name": "甲市工人文化宫（新馆）", "address": "解放路 2 号", "region_code": "330100",
                                 "status": "open"})
    assert response.status_code == 302
    [event] = events(action=AuditAction.UPDATE)
    assert event.actor == world["manager"] and event.actor_label == "mgr@example.com"
    assert (event.object_type, event.object_id) == ("facilities.facility", str(world["palace"].pk))
    assert event.organisation == orgs["city"]
    assert event.actor_role == Role.FACILITY_MANAGER and event.actor_organisation == orgs["city"]
    assert event.change["name"] == "甲市工人文化宫（新馆）"
    assert "csrfmiddlewaretoken" not in event.change
    assert (event.method, event.path, event.status) == ("POST", url, 302)
    assert event.route == "frontend:console:facility_edit"
    assert event.ip == "127.0.0.1"


def test_a_refused_or_invalid_write_records_nothing(world):
    client = staff_client(world["manager"])
    url = reverse("frontend:console:facility_edit", args=[world["palace"].pk])
    assert client.post(url, {"name": "", "region_code": "x"}).status_code == 400
    sibling = staff_client(world["sibling"])
    assert sibling.post(reverse("frontend:console:member_verify", args=[world["other"].pk])).status_code == 404
    assert not AuditEvent.objects.exclude(action__in=["login_console", "access_denied"]).exists()
    assert AuditEvent.objects.get(action="access_denied").object_id == str(world["other"].pk)


def test_staff_api_writes_record_create_update_and_delete(world):
    client = staff_client(world["manager"])
    created = client.post("/api/v1/staff/venues/", {"facility": world["palace"].pk, "name": "书法教室",
                                                     "kind": "classroom", "capacity": 20}, format="json")
    assert created.status_code == 201, created.content
    venue_id = created.json()["id"]
    assert client.patch(f"/api/v1/staff/venues/{venue_id}/", {"capacity": 25}, format="json").status_code == 200
    assert client.delete(f"/api/v1/staff/venues/{venue_id}/").status_code == 204
    assert not Venue.objects.filter(pk=venue_id).exists()

    create, update, delete = events(object_type="facilities.venue")
    assert (create.action, create.object_id, create.change["name"]) == (AuditAction.CREATE, str(venue_id), "书法教室")
    assert (update.action, update.change) == (AuditAction.UPDATE, {"capacity": 25})
    assert (delete.action, delete.object_id) == (AuditAction.DELETE, str(venue_id))
    assert "书法教室" in delete.object_repr  # the deleted object is still named
    assert {e.organisation_id for e in (create, update, delete)} == {world["palace"].organisation_id}


def test_an_api_action_records_other_writes_with_personal_numbers_masked(world):
    client = staff_client(world["manager"])
    url = f"/api/v1/staff/sessions/{world['session'].pk}/cancel/"
    response = client.post(url, {"reason": "场馆维修，请致电13800000001"}, format="json")
    assert response.status_code == 200, response.content
    [event] = events(route="staff-session-cancel")
    assert event.action == AuditAction.WRITE
    assert (event.object_type, event.object_id) == ("bookings.session", str(world["session"].pk))
    assert event.change == {"reason": "场馆维修，请致电138****0001"}


def test_roster_csv_download_records_an_export_and_who_saw_the_members(world):
    client = staff_client(world["manager"])
    response = client.get(reverse("frontend:console:session_roster_csv", args=[world["session"].pk]))
    assert response.status_code == 200
    [export] = events(action=AuditAction.EXPORT)
    assert (export.object_type, export.object_id) == ("bookings.session", str(world["session"].pk))
    assert export.actor == world["manager"]
    [seen] = events(action=AuditAction.VIEW_PERSONAL_RECORD)
    assert seen.object_id == str(world["member"].pk)


def test_staff_and_admin_logins_are_recorded_with_the_second_factor(world):
    staff_client(world["officer"])
    [console] = events(action=AuditAction.LOGIN_CONSOLE)
    assert console.actor == world["officer"] and console.change == {"mfa": True}

    admin = factories.user(email="root@example.com")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    admin.refresh_from_db()
    TOTP.activate(admin, factories.TOTP_SECRET)
    client = login(admin, next_url="/admin/")
    assert client.get("/admin/").status_code == 200
    [admin_login] = events(action=AuditAction.LOGIN_ADMIN)
    assert admin_login.actor == admin and admin_login.change == {"mfa": True}

    login(world["member"].user)
    [member_login] = events(action=AuditAction.LOGIN)
    assert member_login.actor == world["member"].user and member_login.change == {"mfa": False}


def test_a_failed_login_is_recorded_without_the_password(world):
    from rest_framework.test import APIClient

    APIClient().post(reverse("account_login"), {"login": "mgr@example.com", "password": "wrong-guess-1"})
    [failed] = events(action=AuditAction.LOGIN_FAILED)
    assert failed.actor is None
    assert "wrong-guess-1" not in str(failed.change)


def test_members_see_who_opened_their_record_and_nobody_elses(world, orgs):
    officer = staff_client(world["officer"])
    assert officer.get(reverse("frontend:console:member_detail", args=[world["member"].pk])).status_code == 200
    assert officer.get(f"/api/v1/staff/members/{world['member'].pk}/").status_code == 200
    assert officer.get(reverse("frontend:console:member_detail", args=[world["other"].pk])).status_code == 200

    me = login(world["member"].user)
    log = me.get("/api/v1/me/access-log/").json()["results"]
    assert len(log) == 2
    assert {e["staff_organisation"] for e in log} == {orgs["city"].name}
    assert {e["staff_role"] for e in log} == {Role.UNION_OFFICER}
    assert "off@example.com" not in str(log)  # staff are named by role and union, not by email
    page = me.get(reverse("frontend:access_log"))
    assert page.status_code == 200
    html = page.content.decode()
    assert orgs["city"].name in html and "off@example.com" not in html
    assert reverse("frontend:access_log") in me.get(reverse("frontend:profile")).content.decode()

    other = login(world["other"].user)
    assert len(other.get("/api/v1/me/access-log/").json()["results"]) == 1


def test_the_audit_page_is_scoped_to_the_staff_members_subtree(world, orgs):
    manager = staff_client(world["manager"])
    manager.post(reverse("frontend:console:facility_edit", args=[world["palace"].pk]),
                 {"name": "甲市工人文化宫（审计）", "address": "", "region_code": "330100", "status": "open"})
    url = reverse("frontend:console:audit")

    own = manager.get(url, {"action": "update"})
    assert own.status_code == 200 and "甲市工人文化宫（审计）" in own.content.decode()
    parent = staff_client(world["parent"]).get(url)
    assert parent.status_code == 200 and "甲市工人文化宫（审计）" in parent.content.decode()
    assert "mgr@example.com" in parent.content.decode()

    sibling = staff_client(world["sibling"]).get(url)
    assert sibling.status_code == 200
    html = sibling.content.decode()
    assert "甲市工人文化宫" not in html and "mgr@example.com" not in html

    member = login(world["member"].user)
    assert member.get(url).status_code == 403


def test_bad_filters_are_form_errors_not_500(world):
    client = staff_client(world["officer"])
    url = reverse("frontend:console:audit")
    for params in ({"since": "2026-13-45"}, {"action": "nonsense"}, {"actor": "a\x00b"}, {"page": "x"},
                   {"until": "9999-12-31", "since": "0001-01-01"}):
        response = client.get(url, params)
        assert response.status_code in (200, 400), params
    bad = client.get(url, {"since": "2026-13-45"})
    assert bad.status_code == 400 and "field__error" in bad.content.decode()
    assert client.get(url, {"actor": "off@", "action": "login_console"}).status_code == 200


def test_member_writes_are_not_staff_audit_events(world):
    client = login(world["member"].user)
    assert client.patch("/api/v1/me/", {"real_name": "王读者二"}, format="json").status_code == 200
    assert not AuditEvent.objects.exclude(action__startswith="login").exists()


def test_redaction_drops_secrets_and_masks_personal_numbers():
    data = redact({"password1": "s3cret!", "code": "123456", "id_number": "11010519491231002X",
                   "phone": "+8613800000001", "region_code": "330100",
                   "reason": "身份证11010519491231002X 电话13800000001",
                   "nested": {"token": "abc", "card_number": "4242424242424242"}, "csrfmiddlewaretoken": "x"})
    assert data["password1"] == data["code"] == data["nested"]["token"] == data["nested"]["card_number"] == REDACTED
    assert data["id_number"] == "**************002X"
    assert data["phone"] == "138****0001"
    assert data["region_code"] == "330100"
    assert "11010519491231002X" not in data["reason"] and "13800000001" not in data["reason"]
    assert "csrfmiddlewaretoken" not in data


def test_admin_writes_are_recorded(world, orgs):
    admin = factories.user(email="root2@example.com")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    admin.refresh_from_db()
    TOTP.activate(admin, factories.TOTP_SECRET)
    client = login(admin, next_url="/admin/")
    grant = world["sibling"].role_grants.get()
    response = client.post(f"/admin/members/rolegrant/{grant.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    [event] = events(action=AuditAction.DELETE)
    assert (event.object_type, event.object_id) == ("members.rolegrant", str(grant.pk))
    assert event.actor == admin and event.route == "admin:members_rolegrant_delete"


def test_app_logins_through_the_api_are_recorded(world):
    from rest_framework.test import APIClient

    from tests.logins import totp_code_for

    client = APIClient()
    response = client.post("/_allauth/app/v1/auth/login", {"email": "off@example.com",
                                                           "password": factories.PASSWORD}, format="json")
    token = response.json()["meta"]["session_token"]
    ok = client.post("/_allauth/app/v1/auth/2fa/authenticate", {"code": totp_code_for(world["officer"])},
                     format="json", headers={"X-Session-Token": token})
    assert ok.status_code == 200
    [event] = events(action=AuditAction.LOGIN_CONSOLE)
    assert event.actor == world["officer"] and event.change == {"mfa": True}


def test_refusals_are_recorded_but_absent_objects_are_not(world, orgs):
    sibling = staff_client(world["sibling"])
    assert sibling.get(reverse("frontend:console:member_detail", args=[world["member"].pk])).status_code == 404
    assert sibling.get(f"/api/v1/staff/members/{world['member'].pk}/").status_code == 404
    assert sibling.get(reverse("frontend:console:member_detail", args=[999999])).status_code == 404
    probes = events(action=AuditAction.ACCESS_DENIED)
    assert [(e.actor, e.object_id, e.status) for e in probes] == [(world["sibling"], str(world["member"].pk), 404)] * 2
    assert {e.organisation for e in probes} == {orgs["unit"]}  # the probed union's staff see it

    member = login(world["other"].user)
    assert member.get(reverse("frontend:console:today")).status_code == 403
    [refused] = events(action=AuditAction.ACCESS_DENIED, actor=world["other"].user)
    assert refused.status == 403 and refused.path == "/console/"


def test_the_audit_log_cannot_be_edited_in_the_admin(world):
    admin = factories.user(email="root3@example.com")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    TOTP.activate(admin, factories.TOTP_SECRET)
    client = login(admin, next_url="/admin/")
    event = AuditEvent.objects.latest("id")
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200  # view only
    assert client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "login"}).status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, action=event.action).exists()
