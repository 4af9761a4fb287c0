"""The programmes API as members and staff use it: answers, errors in the one format, scoping, nothing changed on
bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.models import Application, ApplicationStatus, QuotaAllocation
from bookings.services import applications as apps
from portal.audit.models import AuditEvent
from portal.members.models import ModelWorkerLevel, Role
from tests import factories
from tests.conftest import staff_client

from . import programme_builders as pb

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(orgs):
    return pb.runner(orgs["city"])


@pytest.fixture
def officer_api(officer):
    return staff_client(officer)


@pytest.fixture
def prog(orgs, officer):
    return pb.programme(orgs["city"], actor=officer, categories=["model_worker", "skilled_worker"])


@pytest.fixture
def batch(prog, orgs):
    return pb.batch(prog, pb.sanatorium(orgs["province"]), places=10)


@pytest.fixture
def model_worker(orgs):
    return factories.member(organisation=orgs["unit"], model_worker_level=ModelWorkerLevel.PROVINCIAL)


def member_client(member) -> APIClient:
    client = APIClient()
    client.force_authenticate(member.user)
    return client


def root_id(batch) -> int:
    return QuotaAllocation.objects.get(batch=batch, parent=None).pk


def test_programme_list_tells_each_member_whether_they_may_apply(batch, prog, orgs, model_worker):
    body = member_client(model_worker).get("/api/v1/programmes/").json()
    entry = body["results"][0]["batches"][0]
    assert entry["id"] == batch.pk and entry["eligible"] and entry["can_apply"]
    assert entry["places_left"] == 10 and entry["places_for_you"] == 8  # 2 reserved for skilled workers
    plain = factories.member(organisation=orgs["unit"])
    entry = member_client(plain).get(f"/api/v1/programmes/{prog.pk}/").json()["batches"][0]
    assert not entry["eligible"] and [r["code"] for r in entry["reasons"]] == ["category"]
    assert entry["reasons"][0]["message"]
    anonymous = APIClient().get("/api/v1/programmes/").json()["results"][0]["batches"][0]
    assert anonymous["can_apply"] is False and anonymous["places_for_you"] is None


def test_apply_then_see_the_timeline_and_withdraw(batch, prog, model_worker, officer_api):
    client = member_client(model_worker)
    response = client.post(f"/api/v1/programmes/{prog.pk}/applications/", {"batch": batch.pk}, format="json")
    assert response.status_code == 201, response.json()
    application = response.json()
    assert application["status"] == "submitted" and application["steps"][0]["action"] == "submit"
    again = client.post(f"/api/v1/programmes/{prog.pk}/applications/", {"batch": batch.pk}, format="json")
    assert again.status_code == 409 and again.json()["type"] == "already_applied"
    assert officer_api.post(f"/api/v1/staff/applications/{application['id']}/approve/").status_code == 200
    listed = client.get("/api/v1/applications/").json()["results"]
    assert listed[0]["status"] == "approved" and [s["action"] for s in listed[0]["steps"]] == ["submit", "approve"]
    assert client.get("/api/v1/applications/?status=approved").json()["count"] == 1
    withdrawn = client.post(f"/api/v1/applications/{application['id']}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert QuotaAllocation.objects.get(pk=root_id(batch)).used == 0


def test_someone_elses_application_is_404(batch, prog, model_worker, orgs):
    application = apps.application_submit(member=model_worker, programme_id=prog.pk, batch_id=batch.pk)
    other = member_client(factories.member(organisation=orgs["unit"]))
    assert other.get(f"/api/v1/applications/{application.pk}/").status_code == 404
    assert other.post(f"/api/v1/applications/{application.pk}/withdraw/").status_code == 404
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("body, field", [({}, "batch"), ({"batch": "x"}, "batch"), ({"batch": -1}, "batch"),
                                         ({"batch": 2**40}, "batch")])
def test_apply_bad_bodies_are_400_with_the_field(batch, prog, model_worker, body, field):
    response = member_client(model_worker).post(f"/api/v1/programmes/{prog.pk}/applications/", body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert not Application.objects.exists()


def test_apply_to_closed_or_full_batch_is_409(batch, prog, model_worker, orgs):
    client = member_client(model_worker)
    other_prog_batch = pb.batch(pb.programme(orgs["city"], title="别的项目"), batch.sanatorium)
    wrong = client.post(f"/api/v1/programmes/{prog.pk}/applications/", {"batch": other_prog_batch.pk},
                        format="json")
    assert wrong.status_code == 400 and "batch" in wrong.json()["errors"]
    closed = pb.batch(prog, batch.sanatorium, starts_in=90,
                      applications_close=timezone.localdate() - timedelta(days=0),
                      applications_open=timezone.localdate() - timedelta(days=3))
    QuotaAllocation.objects.filter(batch=closed).update(skilled_reserved=0)
    from bookings.models import Batch
    Batch.objects.filter(pk=closed.pk).update(applications_close=timezone.localdate() - timedelta(days=1))
    response = client.post(f"/api/v1/programmes/{prog.pk}/applications/", {"batch": closed.pk}, format="json")
    assert response.status_code == 409 and response.json()["type"] == "closed"
    QuotaAllocation.objects.filter(pk=root_id(batch)).update(used=8)
    response = client.post(f"/api/v1/programmes/{prog.pk}/applications/", {"batch": batch.pk}, format="json")
    assert response.status_code == 409 and response.json()["type"] == "full"
    assert not Application.objects.exists()


def test_staff_allocation_tree_allocate_and_hand_back(batch, orgs, officer_api):
    tree = officer_api.get(f"/api/v1/staff/batches/{batch.pk}/allocations/").json()
    assert [a["organisation"] for a in tree] == [orgs["city"].pk]
    response = officer_api.post(f"/api/v1/staff/allocations/{root_id(batch)}/allocate/",
                                {"organisation": orgs["county"].pk, "places": 4}, format="json")
    assert response.status_code == 201 and response.json()["places"] == 4
    county_id = response.json()["id"]
    too_many = officer_api.post(f"/api/v1/staff/allocations/{root_id(batch)}/allocate/",
                                {"organisation": orgs["unit2"].pk, "places": 7}, format="json")
    assert too_many.status_code == 409 and "places" in too_many.json()["errors"]
    assert "5" in too_many.json()["detail"] and "7" in too_many.json()["detail"]  # what is free, what was asked
    not_child = officer_api.post(f"/api/v1/staff/allocations/{root_id(batch)}/allocate/",
                                 {"organisation": orgs["unit"].pk, "places": 1}, format="json")
    assert not_child.status_code == 400 and "organisation" in not_child.json()["errors"]
    back = officer_api.post(f"/api/v1/staff/allocations/{county_id}/hand-back/", {"places": 3}, format="json")
    assert back.status_code == 200 and back.json()["handed_back"] == 3
    root = QuotaAllocation.objects.get(pk=root_id(batch))
    assert root.allocated_to_children == 1
    assert AuditEvent.objects.filter(object_type="bookings.quotaallocation", route__contains="allocate").exists()


def test_sibling_staff_cannot_see_or_act(batch, prog, orgs, model_worker):
    sibling = staff_client(factories.staff(organisation=orgs["sibling"], role=Role.UNION_OFFICER))
    application = apps.application_submit(member=model_worker, programme_id=prog.pk, batch_id=batch.pk)
    assert sibling.get(f"/api/v1/staff/batches/{batch.pk}/").status_code == 404
    assert sibling.get(f"/api/v1/staff/batches/{batch.pk}/allocations/").status_code == 404
    assert sibling.post(f"/api/v1/staff/allocations/{root_id(batch)}/allocate/",
                        {"organisation": orgs["county"].pk, "places": 1}, format="json").status_code == 404
    assert sibling.post(f"/api/v1/staff/applications/{application.pk}/approve/").status_code == 404
    assert sibling.get("/api/v1/staff/applications/").json()["count"] == 0
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED


def test_approval_queue_confirm_roster_and_exports(batch, prog, model_worker, officer_api, officer):
    application = apps.application_submit(member=model_worker, programme_id=prog.pk, batch_id=batch.pk)
    queue = officer_api.get(f"/api/v1/staff/applications/?batch={batch.pk}").json()["results"]
    assert [a["id"] for a in queue] == [application.pk]
    assert officer_api.post(f"/api/v1/staff/applications/{application.pk}/confirm/").status_code == 409
    assert officer_api.post(f"/api/v1/staff/applications/{application.pk}/approve/").status_code == 200
    confirmed = officer_api.post(f"/api/v1/staff/applications/{application.pk}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    roster = officer_api.get(f"/api/v1/staff/batches/{batch.pk}/roster/").json()
    assert [r["member_name"] for r in roster] == [model_worker.real_name]
    csv = officer_api.get(f"/api/v1/staff/batches/{batch.pk}/roster/csv/")
    assert csv.status_code == 200 and model_worker.real_name in b"".join(csv.streaming_content).decode("utf-8-sig")
    xlsx = officer_api.get(f"/api/v1/staff/batches/{batch.pk}/roster/xlsx/")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_reject_needs_a_reason_and_nominate(batch, prog, model_worker, officer_api, orgs):
    application = apps.application_submit(member=model_worker, programme_id=prog.pk, batch_id=batch.pk)
    response = officer_api.post(f"/api/v1/staff/applications/{application.pk}/reject/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = officer_api.post(f"/api/v1/staff/applications/{application.pk}/reject/", {"reason": "名额已满"},
                                format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    skilled = factories.member(organisation=orgs["unit2"], skilled_worker=True)
    nominated = officer_api.post("/api/v1/staff/applications/", {"member": skilled.pk, "batch": batch.pk},
                                 format="json")
    assert nominated.status_code == 201 and nominated.json()["nominated"]
    outsider = factories.member(organisation=orgs["sibling_unit"], skilled_worker=True)
    refused = officer_api.post("/api/v1/staff/applications/", {"member": outsider.pk, "batch": batch.pk},
                               format="json")
    assert refused.status_code == 400 and "member" in refused.json()["errors"]


def test_staff_programme_and_batch_setup(orgs, officer_api):
    response = officer_api.post("/api/v1/staff/programmes/", {
        "title": "2027 技能人才疗休养", "organisation": orgs["city"].pk, "year": 2027,
        "categories": ["skilled_worker"], "status": "open"}, format="json")
    assert response.status_code == 201, response.json()
    programme_id = response.json()["id"]
    bad = officer_api.post("/api/v1/staff/programmes/", {"title": "x", "organisation": orgs["city"].pk,
                                                         "year": 2027, "categories": ["pilots"]}, format="json")
    assert bad.status_code == 400 and "categories.0" in bad.json()["errors"]
    foreign = officer_api.post("/api/v1/staff/programmes/", {"title": "x", "organisation": orgs["sibling"].pk,
                                                             "year": 2027}, format="json")
    assert foreign.status_code == 400 and "organisation" in foreign.json()["errors"]
    sanatorium = pb.sanatorium(orgs["province"])
    today = timezone.localdate()
    batch = officer_api.post("/api/v1/staff/batches/", {
        "programme": programme_id, "sanatorium": sanatorium.pk, "start_date": str(today + timedelta(30)),
        "end_date": str(today + timedelta(35)), "places": 20, "applications_open": str(today),
        "applications_close": str(today + timedelta(20)), "handback_cutoff": str(today + timedelta(15))},
        format="json")
    assert batch.status_code == 201, batch.json()
    assert QuotaAllocation.objects.get(batch_id=batch.json()["id"]).skilled_reserved == 4
    bad_dates = officer_api.post("/api/v1/staff/batches/", {
        "programme": programme_id, "sanatorium": sanatorium.pk, "start_date": str(today + timedelta(30)),
        "end_date": str(today + timedelta(30)), "places": 20, "applications_open": str(today),
        "applications_close": str(today + timedelta(20)), "handback_cutoff": str(today + timedelta(15))},
        format="json")
    assert bad_dates.status_code == 400 and "end_date" in bad_dates.json()["errors"]
    cancel = officer_api.post(f"/api/v1/staff/batches/{batch.json()['id']}/cancel/", {"reason": "天气"},
                              format="json")
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
