"""Console pages of mutual aid: dashboard with the loss-ratio chart, scheme setup, roster import with progress
and confirm, enrolment list with filters and exports, the claims queue with documents and decisions; scope."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from mutualaid.models import Claim, ClaimStatus, Enrolment, RosterImport, RosterStatus, Scheme
from portal.members.models import Role
from tests import factories
from tests.mutualaid.roster_files import broken_id_number, csv_bytes, rows

from .conftest import client_for
from .test_mutualaid_pages import claim_data, enrol, make_scheme

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer(orgs):
    return client_for(factories.staff(organisation=orgs["city"], role=Role.MUTUALAID_OFFICER))


@pytest.fixture
def sibling_officer(orgs):
    return client_for(factories.staff(organisation=orgs["sibling"], role=Role.MUTUALAID_OFFICER))


@pytest.fixture
def browser_member(orgs):
    return client_for(factories.member(organisation=orgs["unit"]).user)


@pytest.fixture
def scheme(orgs):
    return make_scheme(orgs["city"])


@pytest.fixture
def claim(orgs, scheme):
    member = factories.member(organisation=orgs["unit"], real_name="赵申请")
    client = client_for(member.user)
    enrol(client, scheme, shares=2)
    enrolment = Enrolment.objects.get(member=member)
    data = claim_data(enrolment, photos=[])
    data["documents"] = [SimpleUploadedFile("诊断.pdf", PDF, content_type="application/pdf")]
    assert client.post(reverse("frontend:aid_claim_create"), data).status_code == 302
    return Claim.objects.get(enrolment=enrolment)


def test_console_pages_render(officer, scheme, claim):
    for url in (reverse("frontend:console:mutualaid"), reverse("frontend:console:schemes"),
                reverse("frontend:console:scheme_create"), reverse("frontend:console:scheme_edit", args=[scheme.pk]),
                reverse("frontend:console:roster_upload"), reverse("frontend:console:enrolments"),
                reverse("frontend:console:claims"), reverse("frontend:console:claim_detail", args=[claim.pk])):
        assert officer.get(url).status_code == 200, url
    today = officer.get(reverse("frontend:console:today")).content.decode()
    assert reverse("frontend:console:mutualaid") in today  # the console menu has the section


def test_dashboard_draws_the_loss_ratio_chart_with_its_table(officer, claim, scheme):
    officer.post(reverse("frontend:console:claim_detail", args=[claim.pk]),
                 {"action": "approve", "approve-amount_yuan": "60.00", "approve-reason": "仅认可一天"})
    officer.post(reverse("frontend:console:claim_detail", args=[claim.pk]),
                 {"action": "paid", "paid-payout_reference": "BANK-0001"})
    Scheme.objects.filter(pk=scheme.pk).update(union_funded=False, contribution_fen=3000)
    Enrolment.objects.filter(scheme=scheme).update(amount_fen=6000)
    page = officer.get(reverse("frontend:console:mutualaid"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<svg viewBox=' in page and 'role="img"' in page and "<table" in page
    assert "100%" in page  # ¥60 paid / ¥60 collected
    assert "above the alert threshold of 80%" in page


def test_create_and_edit_a_scheme_with_field_errors(officer, orgs):
    today = timezone.localdate()
    data = {"organisation": orgs["city"].pk, "title": "意外伤害互助", "kind": "accident", "status": "draft",
            "description": "", "term_years": "1", "term_start": (today + timedelta(days=10)).isoformat(),
            "term_end": (today + timedelta(days=374)).isoformat(),
            "enrolment_opens_on": today.isoformat(), "enrolment_closes_on": (today + timedelta(days=9)).isoformat(),
            "contribution_yuan": "20", "max_shares": "5", "waiting_period_days": "30", "ratio_percent": "0",
            "deductible_yuan": "0", "per_day_allowance_yuan": "0", "lump_sum_yuan": "0",
            "injury_schedule_text": "", "cap_per_claim_yuan": "5000", "cap_per_term_yuan": "10000",
            "alert_loss_ratio_percent": "80", "dependants_allowed": "on"}
    response = officer.post(reverse("frontend:console:scheme_create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400  # an accident scheme needs its schedule: said beside the field
    assert 'id="id_injury_schedule_text_error"' in response.content.decode()
    assert not Scheme.objects.exists()
    response = officer.post(reverse("frontend:console:scheme_create"),
                            {**data, "injury_schedule_text": "1 = 5000\n2 = 2000"})
    scheme = Scheme.objects.get()
    assert response.status_code == 302
    assert scheme.injury_schedule == {"1": 500000, "2": 200000} and scheme.contribution_fen == 2000
    url = reverse("frontend:console:scheme_edit", args=[scheme.pk])
    bad = officer.post(url, {**data, "injury_schedule_text": "1 = 5000", "cap_per_term_yuan": "100"})
    assert bad.status_code == 400 and Scheme.objects.get().cap_per_term_fen == 1000000
    ok = officer.post(url, {**data, "injury_schedule_text": "1 = 5000", "status": "open"})
    assert ok.status_code == 302 and Scheme.objects.get().status == "open"


def test_roster_upload_previews_then_confirms(officer, orgs, scheme, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("名单.csv", csv_bytes(rows(3)), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(reverse("frontend:console:roster_upload"), {
            "scheme": scheme.pk, "organisation": orgs["unit"].pk, "file": upload})
    roster = RosterImport.objects.get()
    assert response["Location"] == reverse("frontend:console:roster_detail", args=[roster.pk])
    page = officer.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="roster-preview"' in page and "Confirm and enrol 3 people" in page
    assert not Enrolment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(response["Location"])
    roster.refresh_from_db()
    assert roster.status == RosterStatus.DONE and Enrolment.objects.filter(scheme=scheme).count() == 3


def test_roster_with_bad_rows_offers_the_error_report_and_writes_nothing(officer, orgs, scheme,
                                                                        django_capture_on_commit_callbacks):
    bad = list(rows(2))
    bad[1][1] = broken_id_number(1)
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(reverse("frontend:console:roster_upload"), {
            "scheme": scheme.pk, "organisation": orgs["unit"].pk,
            "file": SimpleUploadedFile("名单.csv", csv_bytes(bad), content_type="text/csv")})
    roster = RosterImport.objects.get()
    page = officer.get(reverse("frontend:console:roster_detail", args=[roster.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Download the error report" in page.content.decode() and "Confirm and enrol" not in page.content.decode()
    report = officer.get(reverse("frontend:console:roster_errors", args=[roster.pk]))
    assert report.status_code == 200 and bad[1][1] not in b"".join(report.streaming_content).decode("utf-8-sig")
    assert officer.post(reverse("frontend:console:roster_detail", args=[roster.pk])).status_code == 302
    assert not Enrolment.objects.exists()


def test_a_wrong_roster_file_is_a_field_error(officer, orgs, scheme):
    response = officer.post(reverse("frontend:console:roster_upload"), {
        "scheme": scheme.pk, "organisation": orgs["unit"].pk,
        "file": SimpleUploadedFile("名单.csv", b"a,b,c\n1,2,3\n", content_type="text/csv")})
    assert response.status_code == 400 and 'id="id_file_error"' in response.content.decode()
    assert not RosterImport.objects.exists()


def test_enrolments_filter_and_export_formula_safe(officer, scheme, orgs):
    member = factories.member(organisation=orgs["unit"], real_name="钱导出")
    enrol(client_for(member.user), scheme)
    page = officer.get(reverse("frontend:console:enrolments"), {"scheme": scheme.pk, "status": "active"})
    assert "钱导出" in page.content.decode()
    assert "钱导出" not in officer.get(reverse("frontend:console:enrolments"), {"status": "cancelled"}).content.decode()
    by_union = officer.get(reverse("frontend:console:enrolments"), {"organisation": orgs["unit2"].pk})
    assert "钱导出" not in by_union.content.decode()
    assert "钱导出" in officer.get(reverse("frontend:console:enrolments"),
                                {"organisation": orgs["unit"].pk}).content.decode()
    odd = officer.get(reverse("frontend:console:enrolments"), {"scheme": "abc", "status": "nope",
                                                               "organisation": orgs["sibling"].pk})
    assert odd.status_code == 200
    Scheme.objects.filter(pk=scheme.pk).update(title="=HYPERLINK(1)")
    csv_body = b"".join(officer.get(reverse("frontend:console:enrolments_csv")).streaming_content).decode("utf-8-sig")
    assert "钱导出" in csv_body and "'=HYPERLINK(1)" in csv_body
    xlsx = officer.get(reverse("frontend:console:enrolments_xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert any("钱导出" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_claim_detail_shows_documents_and_working_and_approve_needs_a_reason(officer, claim):
    url = reverse("frontend:console:claim_detail", args=[claim.pk])
    page = officer.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    doc = claim.documents.get()
    assert reverse("frontend:console:claim_document", args=[claim.pk, doc.pk]) in page
    assert 'data-testid="working"' in page and "Suggested payout" in page
    served = officer.get(reverse("frontend:console:claim_document", args=[claim.pk, doc.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    response = officer.post(url, {"action": "approve", "approve-amount_yuan": "1.00", "approve-reason": ""})
    assert response.status_code == 400 and 'id="id_approve-reason_error"' in response.content.decode()
    response = officer.post(url, {"action": "approve", "approve-amount_yuan": "999999.00", "approve-reason": "x"})
    assert response.status_code == 400 and 'id="id_approve-amount_yuan_error"' in response.content.decode()
    assert officer.post(url, {"action": "reject", "reject-reason": ""}).status_code == 400
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert officer.post(url, {"action": "reject", "reject-reason": "不在保障范围"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    again = officer.post(url, {"action": "approve", "approve-amount_yuan": "1.00", "approve-reason": "x"})
    assert again.status_code == 302  # decided already: a message, nothing changed
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED


def test_mark_paid_needs_a_reference(officer, claim):
    url = reverse("frontend:console:claim_detail", args=[claim.pk])
    officer.post(url, {"action": "approve", "approve-amount_yuan": f"{claim.suggested_payout_fen / 100:.2f}"})
    assert officer.post(url, {"action": "paid", "paid-payout_reference": ""}).status_code == 400
    assert officer.post(url, {"action": "paid", "paid-payout_reference": "BANK-42"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID and claim.payout_reference == "BANK-42"


def test_sibling_union_officer_gets_404_and_sees_nothing(sibling_officer, claim, scheme):
    doc = claim.documents.get()
    for url in (reverse("frontend:console:claim_detail", args=[claim.pk]),
                reverse("frontend:console:claim_document", args=[claim.pk, doc.pk]),
                reverse("frontend:console:scheme_edit", args=[scheme.pk])):
        assert sibling_officer.get(url).status_code == 404, url
    assert sibling_officer.post(reverse("frontend:console:claim_detail", args=[claim.pk]), {
        "action": "approve", "approve-amount_yuan": "1.00", "approve-reason": "x"}).status_code == 404
    assert "赵申请" not in sibling_officer.get(reverse("frontend:console:claims")).content.decode()
    assert "赵申请" not in sibling_officer.get(reverse("frontend:console:enrolments")).content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_another_member_cannot_open_a_claim_document(claim, orgs):
    doc = claim.documents.get()
    other = client_for(factories.member(organisation=orgs["unit"]).user)
    assert other.get(reverse("frontend:aid_claim_document", args=[claim.pk, doc.pk])).status_code == 404
    assert other.get(reverse("frontend:aid_claim_detail", args=[claim.pk])).status_code == 404


def test_odd_ids_are_404(officer, browser_member):
    huge = "99999999999999999999999999"
    for path in (f"/console/mutual-aid/claims/{huge}/", f"/console/mutual-aid/schemes/{huge}/",
                 f"/console/mutual-aid/rosters/{huge}/", f"/console/mutual-aid/claims/1/documents/{huge}/",
                 "/console/mutual-aid/claims/AAA/", "/console/mutual-aid/rosters/-1/"):
        assert officer.get(path).status_code == 404, path
        assert officer.post(path, {"action": "approve"}).status_code == 404, path
    for path in (f"/mutual-aid/claims/{huge}/", f"/mutual-aid/enrolments/{huge}/", f"/mutual-aid/schemes/{huge}/enrol/",
                 f"/mutual-aid/claims/1/documents/{huge}/", "/mutual-aid/verify/%00%00%00%00%00%00%00%00%00%00/",
                 "/mutual-aid/verify/" + "a" * 100 + "/"):
        assert browser_member.get(path).status_code == 404, path
    odd = browser_member.get("/mutual-aid/claims/new/", {"enrolment": huge})
    assert odd.status_code == 200
    for url in (reverse("frontend:console:claim_detail", args=[999999]),
                reverse("frontend:console:scheme_edit", args=[999999]),
                reverse("frontend:console:roster_detail", args=[999999]),
                reverse("frontend:console:roster_errors", args=[999999]),
                reverse("frontend:console:claim_document", args=[999999, 1])):
        assert officer.get(url).status_code == 404, url


def test_a_palace_manager_has_no_mutual_aid_console(orgs):
    manager = client_for(factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER))
    assert manager.get(reverse("frontend:console:mutualaid")).status_code == 403
    assert manager.get(reverse("frontend:console:claims")).status_code == 403



def test_roster_progress_polls_while_checking_and_has_a_refresh_link(officer, orgs, scheme):
    roster = RosterImport.objects.create(scheme=scheme, organisation=orgs["unit"], file="private/x.csv",
                                         original_name="名单.csv", status=RosterStatus.VALIDATING, rows_total=200,
                                         rows_done=50, percent=25)
    url = reverse("frontend:console:roster_detail", args=[roster.pk])
    page = officer.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<progress id="roster-bar" class="bar" max="100" value="25">' in page
    assert "50 of 200 rows (25%)" in page and "Refresh to see the progress" in page
    fragment = officer.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="roster-progress"') and 'hx-trigger="every 2s"' in fragment
    RosterImport.objects.filter(pk=roster.pk).update(status=RosterStatus.VALID, rows_done=200, percent=100)
    done = officer.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and 'data-testid="roster-preview"' in done


def test_officer_decisions_and_document_views_are_in_the_audit_log(officer, claim):
    from portal.audit.models import AuditEvent

    url = reverse("frontend:console:claim_detail", args=[claim.pk])
    officer.post(url, {"action": "reject", "reject-reason": "不在保障范围"})
    officer.get(reverse("frontend:console:claim_document", args=[claim.pk, claim.documents.get().pk]))
    events = AuditEvent.objects.filter(route="frontend:console:claim_detail", object_id=str(claim.pk))
    assert events.filter(object_type="mutualaid.claim").exists()
    assert AuditEvent.objects.filter(route="frontend:console:claim_document", action="export").exists()
