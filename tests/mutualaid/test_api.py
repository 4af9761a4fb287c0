"""The mutual-aid API as a member and an officer would use it, with every bad input of issue 11."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from mutualaid.models import Claim, ClaimDocument, Enrolment, EnrolmentStatus, add_years
from mutualaid.selectors import local_today
from tests import factories

from .aid import *  # noqa: F403
from .aid import active_enrolment, big_upload, hospital_claim, make_scheme, pdf_file, photo

pytestmark = pytest.mark.django_db


def _claim_body(enrolment, **extra):
    admitted = local_today() - timedelta(days=10)
    return {"enrolment": enrolment.pk, "event_type": "hospitalisation", "admission_on": admitted.isoformat(),
            "discharge_on": (admitted + timedelta(days=4)).isoformat(), "amount_claimed_fen": 200_000,
            "eligible_amount_fen": 200_000, "bank_name": "中国银行", "bank_account": "6217 0000 1111 2222",
            "documents": [photo()], **extra}


def test_schemes_show_eligibility_why_not_and_price(member_api, member, inpatient, spouse, orgs):
    young = make_scheme(orgs["city"], title="青年计划", min_age=16, max_age=30)
    response = member_api.get("/api/v1/schemes/?shares=3")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[inpatient.pk]["price_fen"] == 9000 and rows[inpatient.pk]["shares"] == 3
    me, wife = rows[inpatient.pk]["eligibility"]
    assert me["insured"] == "self" and me["eligible"] and wife["insured"] == spouse.pk
    spouse_row = rows[young.pk]["eligibility"][1]
    assert not spouse_row["eligible"] and spouse_row["reasons"][0]["code"] == "age"
    too_many = member_api.get("/api/v1/schemes/?shares=6").json()["results"]
    assert "shares" in [r["code"] for r in too_many[0]["eligibility"][0]["reasons"]]
    assert member_api.get("/api/v1/schemes/?shares=abc").status_code == 400
    assert member_api.get(f"/api/v1/schemes/{inpatient.pk}/").json()["eligibility"][0]["eligible"]


def test_enrol_self_and_a_dependant_and_see_the_payment(member_api, inpatient, spouse):
    response = member_api.post("/api/v1/enrolments/", {"scheme": inpatient.pk, "shares": 2, "insured": "self"},
                               format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending_payment" and body["payment"]["member_share_fen"] == 6000
    assert body["verify_url"] is None
    response = member_api.post("/api/v1/enrolments/", {"scheme": inpatient.pk, "shares": 1, "insured": spouse.pk},
                               format="json")
    assert response.status_code == 201 and response.json()["insured"] == spouse.pk
    assert member_api.get("/api/v1/enrolments/").json()["count"] == 2
    detail = member_api.get(f"/api/v1/enrolments/{body['id']}/").json()
    assert detail["payment"]["status"] == "pending"


@pytest.mark.parametrize("body,status,field", [
    ({"shares": 6, "insured": "self"}, 400, "shares"),
    ({"shares": 0, "insured": "self"}, 400, "shares"),
    ({"shares": 1, "insured": "me"}, 400, "insured"),
    ({"shares": 1, "insured": 999999}, 400, "insured"),
    ({"shares": "1", "insured": "self"}, 400, "shares"),
    ({"shares": 1, "insured": True}, 400, "insured"),
])
def test_bad_enrolments_are_field_errors_and_write_nothing(member_api, inpatient, body, status, field):
    response = member_api.post("/api/v1/enrolments/", {"scheme": inpatient.pk, **body}, format="json")
    assert response.status_code == status
    assert field in response.json()["errors"]
    assert not Enrolment.objects.exists()


def test_outside_the_window_or_the_age_limits_is_refused_clearly(member_api, member, orgs):
    closed = make_scheme(orgs["city"], enrolment_opens_on=local_today() - timedelta(days=90),
                         enrolment_closes_on=local_today() - timedelta(days=1))
    response = member_api.post("/api/v1/enrolments/", {"scheme": closed.pk, "shares": 1, "insured": "self"},
                               format="json")
    window = f"{closed.enrolment_opens_on:%Y-%m-%d}"
    assert response.status_code == 409 and window in response.json()["detail"]  # the message names the window
    old = make_scheme(orgs["city"], max_age=18)
    member.birth_date = add_years(local_today(), -40)
    member.save()
    response = member_api.post("/api/v1/enrolments/", {"scheme": old.pk, "shares": 1, "insured": "self"},
                               format="json")
    assert response.status_code == 400 and "insured" in response.json()["errors"]
    assert not Enrolment.objects.exists()


def test_claim_with_documents_then_more_info_then_approved_seen_live(member_api, member, inpatient, officer_api):
    enrolment = active_enrolment(member, inpatient)
    response = member_api.post("/api/v1/claims/", _claim_body(enrolment, documents=[photo(), pdf_file()]),
                               format="multipart")
    assert response.status_code == 201, response.json()
    claim = response.json()
    assert claim["bank_account"] == "•••• 2222" and "6217" not in str(claim)
    assert claim["suggested_payout_fen"] > 0 and claim["working"][-1]["step"] == "total"
    assert len(claim["documents"]) == 2 and claim["steps"][0]["action"] == "submitted"

    queue = officer_api.get("/api/v1/staff/claims/").json()
    assert [c["id"] for c in queue["results"]] == [claim["id"]]
    assert officer_api.post(f"/api/v1/staff/claims/{claim['id']}/request-more/", {"message": "请补充发票原件"},
                            format="json").status_code == 200
    assert member_api.get(f"/api/v1/claims/{claim['id']}/").json()["status"] == "more_info"
    added = member_api.post(f"/api/v1/claims/{claim['id']}/documents/", {"documents": [photo("more.jpg")],
                                                                         "message": "补好了"}, format="multipart")
    assert added.status_code == 200 and added.json()["status"] == "submitted"
    assert officer_api.get(f"/api/v1/staff/claims/{claim['id']}/").json()["payout_account"] is None
    approved = officer_api.post(f"/api/v1/staff/claims/{claim['id']}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["approved_amount_fen"] == claim["suggested_payout_fen"]
    assert approved.json()["payout_account"] is None  # only the detail at the payout step shows it
    assert officer_api.get(f"/api/v1/staff/claims/{claim['id']}/").json()["payout_account"] == "6217000011112222"
    assert "6217000011112222" not in str(officer_api.get("/api/v1/staff/claims/?status=approved").json())
    paid = officer_api.post(f"/api/v1/staff/claims/{claim['id']}/mark-paid/", {"payout_reference": "TX-9"},
                            format="json")
    assert paid.status_code == 200
    seen = member_api.get(f"/api/v1/claims/{claim['id']}/").json()
    assert seen["status"] == "paid"
    assert [s["action"] for s in seen["steps"]] == ["submitted", "more_info", "documents_added", "approved", "paid"]


def test_claim_on_someone_elses_enrolment_is_404(member_api, inpatient, orgs):
    other = factories.member(organisation=orgs["unit"])
    enrolment = active_enrolment(other, inpatient)
    response = member_api.post("/api/v1/claims/", _claim_body(enrolment), format="multipart")
    assert response.status_code == 404
    assert not Claim.objects.exists()


@pytest.mark.parametrize("upload", [
    lambda: SimpleUploadedFile("virus.pdf", b"MZ\x90\x00\x03" + b"\x00" * 500, content_type="application/pdf"),
    lambda: SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"),
    lambda: big_upload(50 * 1024 * 1024),
], ids=["executable-renamed-pdf", "empty-file", "50MB"])
def test_bad_documents_are_refused_and_nothing_is_written(member_api, member, inpatient, upload):
    enrolment = active_enrolment(member, inpatient)
    response = member_api.post("/api/v1/claims/", _claim_body(enrolment, documents=[photo(), upload()]),
                               format="multipart")
    assert response.status_code == 400
    assert any(field.startswith("documents") for field in response.json()["errors"])  # "documents.1": which one
    assert not Claim.objects.exists() and not ClaimDocument.objects.exists()


def test_missing_event_date_and_bad_account_are_field_errors(member_api, member, inpatient):
    enrolment = active_enrolment(member, inpatient)
    response = member_api.post("/api/v1/claims/", _claim_body(enrolment, admission_on="", bank_account="12ab"),
                               format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "admission_on" in errors or "bank_account" in errors
    assert not Claim.objects.exists()


def test_documents_only_to_the_claimant_and_scoped_staff(member_api, member, inpatient, orgs, officer_api,
                                                       sibling_officer_api):
    claim = hospital_claim(member, active_enrolment(member, inpatient))
    document = claim.documents.get()
    own = member_api.get(f"/api/v1/claims/{claim.pk}/documents/{document.pk}/")
    assert own.status_code == 200 and own["Cache-Control"] == "private, no-store"
    assert b"".join(own.streaming_content)[:3] == b"\xff\xd8\xff"  # the re-encoded JPEG
    staff = officer_api.get(f"/api/v1/staff/claims/{claim.pk}/documents/{document.pk}/")
    assert staff.status_code == 200
    other = APIClient()
    other.force_authenticate(factories.member(organisation=orgs["unit"]).user)
    assert other.get(f"/api/v1/claims/{claim.pk}/documents/{document.pk}/").status_code == 404
    assert other.get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    assert sibling_officer_api.get(f"/api/v1/staff/claims/{claim.pk}/documents/{document.pk}/").status_code == 404
    assert sibling_officer_api.get(f"/api/v1/staff/claims/{claim.pk}/").status_code == 404
    assert APIClient().get(f"/api/v1/claims/{claim.pk}/documents/{document.pk}/").status_code in (401, 403)


def test_certificate_check_shows_scheme_term_validity_and_a_masked_name_only(member, inpatient, spouse):
    member.real_name = "张三丰"
    member.save()
    enrolment = active_enrolment(member, inpatient)
    body = APIClient().get(f"/api/v1/certificates/{enrolment.certificate_code}/").json()
    assert body["valid"] and body["masked_name"] == "张**" and body["scheme"] == inpatient.title
    text = str(body)
    for secret in ("张三丰", member.member_number, member.user.email, member.user.phone, "certificate"):
        assert secret not in text
    assert set(body) == {"scheme", "organisation", "kind", "term_start", "term_end", "cover_starts_on", "valid",
                         "status", "masked_name"}
    assert APIClient().get("/api/v1/certificates/not-a-real-code/").status_code == 404
    owner = APIClient()
    owner.force_authenticate(member.user)
    verify_url = owner.get(f"/api/v1/enrolments/{enrolment.pk}/").json()["verify_url"]
    assert verify_url.endswith(f"/mutual-aid/verify/{enrolment.certificate_code}/")
    page = APIClient().get(verify_url).content.decode()
    assert "张**" in page and "张三丰" not in page
    pending = Enrolment.objects.create(scheme=inpatient, member=member, insured_dependant=spouse, shares=1,
                                       status=EnrolmentStatus.PENDING_PAYMENT, cover_starts_on=local_today(),
                                       amount_fen=3000)
    assert APIClient().get(f"/api/v1/certificates/{pending.certificate_code}/").status_code == 404


def test_officer_sets_up_a_scheme_lists_and_exports_enrolments_and_sees_the_dashboard(officer_api, orgs, member,
                                                                                    inpatient):
    today = local_today()
    body = {"organisation": orgs["city"].pk, "title": "2027 住院互助", "kind": "inpatient", "status": "draft",
            "term_years": 1, "term_start": "2027-01-01", "term_end": "2027-12-31", "contribution_fen": 3000,
            "max_shares": 3, "enrolment_opens_on": today.isoformat(), "enrolment_closes_on": "2026-12-31",
            "per_day_allowance_fen": 5000, "cap_per_claim_fen": 100_000, "cap_per_term_fen": 300_000}
    created = officer_api.post("/api/v1/staff/schemes/", body, format="json")
    assert created.status_code == 201, created.json()
    bad = officer_api.post("/api/v1/staff/schemes/", {**body, "cap_per_term_fen": 1, "ratio_percent": 101},
                           format="json")
    assert bad.status_code == 400
    sibling = officer_api.post("/api/v1/staff/schemes/", {**body, "organisation": orgs["sibling"].pk},
                               format="json")
    assert sibling.status_code == 404
    active_enrolment(member, inpatient)
    listed = officer_api.get(f"/api/v1/staff/enrolments/?scheme={inpatient.pk}&status=active").json()
    assert listed["count"] == 1
    export = officer_api.get("/api/v1/staff/enrolments/export/?file=xlsx")
    assert export.status_code == 200 and "spreadsheetml" in export["Content-Type"]
    csv = officer_api.get("/api/v1/staff/enrolments/export/")
    assert member.real_name in b"".join(csv.streaming_content).decode("utf-8-sig")
    dashboard = officer_api.get("/api/v1/staff/scheme-dashboard/").json()
    row = next(r for r in dashboard if r["id"] == inpatient.pk)
    assert row["members_covered"] == 1 and row["contributions_fen"] == 3000 and row["loss_ratio"] == 0


def test_frozen_schedule_once_people_enrolled(officer_api, member, inpatient):
    active_enrolment(member, inpatient)
    response = officer_api.patch(f"/api/v1/staff/schemes/{inpatient.pk}/", {"contribution_fen": 1}, format="json")
    assert response.status_code == 409 and "contribution_fen" in response.json()["errors"]
    assert officer_api.patch(f"/api/v1/staff/schemes/{inpatient.pk}/", {"title": "新名字"},
                             format="json").status_code == 200


def test_every_staff_step_is_audited_with_the_claim_it_touched(member, inpatient, officer_api, aid_officer):
    from portal.audit.models import AuditEvent

    claim = hospital_claim(member, active_enrolment(member, inpatient))
    officer_api.post(f"/api/v1/staff/claims/{claim.pk}/request-more/", {"message": "请补充"}, format="json")
    officer_api.post(f"/api/v1/staff/claims/{claim.pk}/reject/", {"reason": "不在保障范围"}, format="json")
    events = AuditEvent.objects.filter(actor=aid_officer, object_type="mutualaid.claim", object_id=str(claim.pk))
    assert events.count() == 2
    assert {e.change.get("reason") or e.change.get("message") for e in events} == {"请补充", "不在保障范围"}


def test_a_leap_day_term_start_is_no_server_error(officer_api, orgs):
    body = {"organisation": orgs["city"].pk, "title": "闰年计划", "kind": "inpatient", "term_years": 3,
            "term_start": "2028-02-29", "term_end": "2031-03-01", "contribution_fen": 3000,
            "enrolment_opens_on": "2028-01-01", "enrolment_closes_on": "2028-02-28", "per_day_allowance_fen": 5000,
            "cap_per_claim_fen": 100_000, "cap_per_term_fen": 300_000}
    response = officer_api.post("/api/v1/staff/schemes/", body, format="json")
    assert response.status_code == 400 and "term_end" in response.json()["errors"]
    assert officer_api.post("/api/v1/staff/schemes/", {**body, "term_end": "2031-02-28"},
                            format="json").status_code == 201
