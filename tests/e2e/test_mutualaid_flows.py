"""Mutual aid in Chromium on a 360 px phone: a member enrols a dependant, submits a claim with a photo, an officer
(password + TOTP) approves it with the suggested payout, and the member sees the status; the certificate's QR
code opens the public check page."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mutualaid.models import Claim, ClaimStatus, Enrolment, Scheme
from portal.members.models import Dependant, Role
from tests import factories
from tests.images import jpeg_with_exif

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def scheme(orgs):
    today = timezone.localdate()
    return Scheme.objects.create(
        organisation=orgs["city"], title="职工住院互助保障", kind="inpatient", status="open",
        term_start=today - timedelta(days=30), term_end=today + timedelta(days=334), contribution_fen=3000,
        max_shares=3, union_funded=True, enrolment_opens_on=today - timedelta(days=30),
        enrolment_closes_on=today + timedelta(days=30), per_day_allowance_fen=5000, cap_per_claim_fen=500000,
        cap_per_term_fen=1000000)


def test_enrol_a_dependant_claim_with_a_photo_officer_approves_member_sees_it(new_page, orgs, scheme):
    member = factories.member(organisation=orgs["unit"], email="aid-member@example.com", real_name="王互助",
                              birth_date=date(1985, 5, 1))
    child = Dependant.objects.create(member=member, name="王小宝", relation="child", birth_date=date(2015, 3, 1))
    factories.staff(organisation=orgs["city"], role=Role.MUTUALAID_OFFICER, email="aid-officer@example.com")
    today = timezone.localdate().isoformat()

    page = new_page(language="en")
    login(page, email="aid-member@example.com", password=factories.PASSWORD)
    page.goto("/mutual-aid/")
    expect(page.get_by_test_id("price").first).to_contain_text("Paid by the union")
    assert page.evaluate(FITS)
    page.get_by_role("link", name=re.compile("^Enrol")).first.click()
    page.check(f"input[name=insured][value='{child.pk}']")
    page.fill("input[name=shares]", "2")
    assert page.evaluate(FITS)
    page.get_by_role("button", name="Enrol").click()

    # The certificate: the child is insured, with a QR code for the public check.
    expect(page.get_by_role("heading", name="Certificate of mutual-aid cover")).to_be_visible()
    expect(page.get_by_text("王小宝").first).to_be_visible()
    expect(page.get_by_test_id("certificate-qr").locator("svg")).to_be_visible()
    assert page.evaluate(FITS)
    enrolment = Enrolment.objects.get(member=member)
    assert enrolment.insured_dependant_id == child.pk and enrolment.shares == 2

    # A claim from the phone with a photo of the invoice.
    page.get_by_role("link", name="Submit a claim").click()
    page.select_option("select[name=event_type]", "hospitalisation")
    page.fill("input[name=admission_on]", today)
    page.fill("input[name=discharge_on]", today)
    page.fill("input[name=amount_claimed_yuan]", "800")
    page.fill("input[name=bank_name]", "中国工商银行")
    page.fill("input[name=bank_account]", "6222021234567890")
    page.set_input_files("input[name=photos]", files=[
        {"name": "invoice.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_exif()}])
    assert page.evaluate(FITS)
    page.get_by_role("button", name="Submit the claim").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("Submitted")
    expect(page.get_by_test_id("timeline")).to_contain_text("Claim submitted")
    claim_url = page.url
    claim = Claim.objects.get(enrolment=enrolment)
    assert claim.documents.count() == 1

    # The officer signs in with the password and TOTP, opens the queue, sees the photo, approves.
    officer = new_page(language="en")
    login(officer, email="aid-officer@example.com", password=factories.PASSWORD, totp_secret=factories.TOTP_SECRET)
    officer.goto("/console/mutual-aid/claims/")
    officer.get_by_role("link", name=re.compile("王小宝")).click()
    photo = officer.locator(".docs img").first
    expect(photo).to_be_visible()
    # The photo really decodes (it may still be loading when the page is shown; a broken image never gets a width).
    officer.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    expect(officer.get_by_test_id("suggested")).to_contain_text("¥100.00")  # 1 day × ¥50 × 2 shares
    expect(officer.locator("input[name=approve-amount_yuan]")).to_have_value("100.00")
    assert officer.evaluate(FITS)
    officer.locator("form").filter(has=officer.locator("input[value=approve]")).get_by_role(
        "button", name="Approve").click()
    expect(officer.get_by_text("Claim approved; the member has been told.")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.approved_amount_fen == 10000

    # The member sees the decision on the claim's page.
    page.goto(claim_url)
    expect(page.get_by_test_id("claim-status")).to_have_text("Approved")
    expect(page.get_by_test_id("approved-amount")).to_contain_text("¥100.00")
    expect(page.get_by_test_id("timeline")).to_contain_text("Approved")

    # The certificate's check page, opened by anyone: valid, masked name only.
    visitor = new_page(language="en")
    visitor.goto(f"/mutual-aid/verify/{enrolment.certificate_code}/")
    expect(visitor.get_by_test_id("verdict")).to_contain_text("Valid")
    expect(visitor.get_by_test_id("masked-name")).to_have_text("王**")
    assert "王小宝" not in visitor.content()


@pytest.fixture
def aid_scene(orgs, scheme):
    """A member with a dependant covered and a claim in progress, a roster checked, and the officer."""
    from django.core.files.base import ContentFile

    from mutualaid import services
    from mutualaid.models import RosterImport

    member = factories.member(organisation=orgs["unit"], email="axe-aid@example.com", birth_date=date(1985, 5, 1))
    child = Dependant.objects.create(member=member, name="王小宝", relation="child", birth_date=date(2015, 3, 1))
    enrolment = services.enrolment_create(member=member, scheme_id=scheme.pk, shares=1, dependant_id=child.pk)
    today = timezone.localdate()
    claim = services.claim_submit(member=member, enrolment_id=enrolment.pk, event_type="hospitalisation",
                                  amount_claimed_fen=80000, bank_name="中国工商银行", bank_account="6222021234567890",
                                  admission_on=today, discharge_on=today,
                                  documents=[ContentFile(jpeg_with_exif(), name="invoice.jpg")])
    roster = RosterImport.objects.create(scheme=scheme, organisation=orgs["unit"], file="private/x.csv",
                                         original_name="roster.csv", status="valid", rows_total=2, rows_done=2,
                                         percent=100, matched_members=2)
    factories.staff(organisation=orgs["city"], role=Role.MUTUALAID_OFFICER, email="axe-aid-officer@example.com")
    return {"scheme": scheme, "enrolment": enrolment, "claim": claim, "roster": roster}


def test_mutual_aid_pages_have_no_serious_accessibility_violations(new_page, aid_scene):
    from .test_quality import check

    s = aid_scene
    found = {}
    anonymous = new_page()
    found.update(check(anonymous, ["/mutual-aid/", f"/mutual-aid/verify/{s['enrolment'].certificate_code}/"]))
    member = new_page()
    login(member, email="axe-aid@example.com", password=factories.PASSWORD)
    found.update(check(member, [
        "/mutual-aid/", f"/mutual-aid/schemes/{s['scheme'].pk}/enrol/", "/mutual-aid/mine/",
        f"/mutual-aid/enrolments/{s['enrolment'].pk}/", "/mutual-aid/claims/new/",
        f"/mutual-aid/claims/{s['claim'].pk}/"]))
    officer = new_page(language="en")
    login(officer, email="axe-aid-officer@example.com", password=factories.PASSWORD, totp_secret=factories.TOTP_SECRET)
    found.update(check(officer, [
        "/console/mutual-aid/", "/console/mutual-aid/schemes/", "/console/mutual-aid/schemes/new/",
        f"/console/mutual-aid/schemes/{s['scheme'].pk}/", "/console/mutual-aid/rosters/",
        f"/console/mutual-aid/rosters/{s['roster'].pk}/", "/console/mutual-aid/enrolments/",
        "/console/mutual-aid/claims/", f"/console/mutual-aid/claims/{s['claim'].pk}/"]))
    assert found == {}


def test_enrol_and_claim_without_javascript(new_page, orgs, scheme):
    factories.member(organisation=orgs["unit"], email="nojs-aid@example.com", birth_date=date(1985, 5, 1))
    page = new_page(language="en", javascript=False)
    login(page, email="nojs-aid@example.com", password=factories.PASSWORD)
    page.goto(f"/mutual-aid/schemes/{scheme.pk}/enrol/")
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_test_id("certificate-qr")).to_be_visible()
    page.get_by_role("link", name="Submit a claim").click()
    today = timezone.localdate().isoformat()
    page.fill("input[name=admission_on]", today)
    page.fill("input[name=discharge_on]", today)
    page.fill("input[name=amount_claimed_yuan]", "300")
    page.fill("input[name=bank_name]", "中国银行")
    page.fill("input[name=bank_account]", "6222021234567890")
    page.set_input_files("input[name=documents]", files=[
        {"name": "invoice.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_exif()}])
    page.get_by_role("button", name="Submit the claim").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("Submitted")
