"""Member pages of mutual aid: schemes with eligibility and price, enrolling a dependant, paying, the certificate
and its public check, claims from a phone with photos, the timeline, and every kind of bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mutualaid.models import Claim, ClaimDocument, ClaimStatus, Enrolment, EnrolmentStatus, Scheme, SchemeKind
from portal.members.models import Dependant, Role
from portal.payments.models import Payment
from tests import factories
from tests.images import jpeg_with_exif, png_bytes

from .conftest import client_for

pytestmark = pytest.mark.django_db

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_scheme(organisation, **fields) -> Scheme:
    today = timezone.localdate()
    values = dict(title="职工住院互助保障", kind=SchemeKind.INPATIENT, status="open",
                  term_start=today - timedelta(days=30), term_end=today + timedelta(days=334),
                  contribution_fen=3000, max_shares=3, enrolment_opens_on=today - timedelta(days=30),
                  enrolment_closes_on=today + timedelta(days=30), waiting_period_days=0,
                  per_day_allowance_fen=5000, cap_per_claim_fen=500000, cap_per_term_fen=1000000,
                  union_funded=True)
    values.update(fields)
    return Scheme.objects.create(organisation=organisation, **values)


@pytest.fixture
def scheme(orgs):
    return make_scheme(orgs["city"])


@pytest.fixture
def holder(orgs):
    member = factories.member(organisation=orgs["unit"], real_name="王互助", birth_date=date(1985, 5, 1))
    Dependant.objects.create(member=member, name="王小宝", relation="child", birth_date=date(2015, 3, 1))
    return member


@pytest.fixture
def browser(holder):
    return client_for(holder.user)


def enrol(client, scheme, *, insured="self", shares=1):
    return client.post(reverse("frontend:aid_enrol", args=[scheme.pk]), {"insured": insured, "shares": shares})


def claim_data(enrolment, **changes):
    today = timezone.localdate().isoformat()
    data = {"enrolment": enrolment.pk, "event_type": "hospitalisation", "admission_on": today,
            "discharge_on": today, "amount_claimed_yuan": "800.00", "eligible_amount_yuan": "",
            "bank_name": "中国工商银行", "bank_account": "6222 0212 3456 7890",
            "photos": [SimpleUploadedFile("发票.jpg", jpeg_with_exif(), content_type="image/jpeg")]}
    data.update(changes)
    return data


@pytest.fixture
def enrolment(browser, scheme, holder):
    enrol(browser, scheme, insured=str(holder.dependants.get().pk))
    return Enrolment.objects.get(member=holder)


def test_scheme_list_shows_price_and_who_may_enrol(browser, scheme, orgs, holder):
    make_scheme(orgs["city"], title="女职工特殊疾病互助", kind=SchemeKind.WOMENS_ILLNESS, union_funded=False,
                contribution_fen=2000, lump_sum_fen=1000000, dependants_allowed=False, per_day_allowance_fen=0)
    page = browser.get(reverse("frontend:aid_schemes"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "职工住院互助保障" in page and "Paid by the union" in page
    assert "¥20.00 per share" in page
    assert "王小宝" in page and "This scheme insures members themselves only, not dependants." in page
    anonymous = Client().get(reverse("frontend:aid_schemes"), HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous.status_code == 200 and "Log in to enrol" in anonymous.content.decode()


def test_enrol_a_dependant_in_a_union_funded_scheme_is_active_at_once(browser, scheme, holder):
    child = holder.dependants.get()
    response = enrol(browser, scheme, insured=str(child.pk), shares=2)
    enrolment = Enrolment.objects.get(member=holder)
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:aid_certificate", args=[enrolment.pk])
    assert enrolment.insured_dependant == child and enrolment.shares == 2
    assert enrolment.status == EnrolmentStatus.ACTIVE
    page = browser.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "王小宝" in page and "<svg" in page
    assert reverse("frontend:aid_verify", args=[enrolment.certificate_code]) in page
    mine = browser.get(reverse("frontend:aid_mine")).content.decode()
    assert "王小宝" in mine and reverse("frontend:aid_certificate", args=[enrolment.pk]) in mine


def test_enrol_in_a_paid_scheme_goes_to_the_payment_page(browser, orgs, holder):
    paid = make_scheme(orgs["city"], union_funded=False, contribution_fen=3000)
    response = enrol(browser, paid, shares=2)
    enrolment = Enrolment.objects.get(member=holder)
    payment = Payment.objects.get(enrolment=enrolment)
    assert enrolment.status == EnrolmentStatus.PENDING_PAYMENT
    assert payment.amount_fen == 6000
    assert response["Location"] == reverse("frontend:payment_pay", args=[payment.pk])
    pay = browser.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert pay.status_code == 200 and "¥60.00" in pay.content.decode()
    certificate = browser.get(reverse("frontend:aid_certificate", args=[enrolment.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "The contribution is not paid yet" in certificate.content.decode()
    assert 'data-testid="certificate-qr"' not in certificate.content.decode()


def test_shares_above_the_maximum_is_a_field_error_and_nothing_is_written(browser, scheme):
    response = browser.post(reverse("frontend:aid_enrol", args=[scheme.pk]), {"insured": "self", "shares": 4},
                            HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Choose from 1 to 3 shares." in response.content.decode()
    assert 'id="id_shares_error"' in response.content.decode()
    assert not Enrolment.objects.exists()


def test_a_dependant_of_someone_else_cannot_be_insured(browser, scheme, orgs):
    stranger = factories.member(organisation=orgs["unit"])
    theirs = Dependant.objects.create(member=stranger, name="李别人", relation="child", birth_date=date(2016, 1, 1))
    response = enrol(browser, scheme, insured=str(theirs.pk))
    assert response.status_code == 400
    assert 'id="id_insured_error"' in response.content.decode()
    assert not Enrolment.objects.exists()


def test_enrolling_twice_says_so_and_writes_nothing_more(browser, scheme, holder):
    enrol(browser, scheme)
    response = enrol(browser, scheme)
    assert response.status_code in (400, 409)
    assert Enrolment.objects.filter(member=holder).count() == 1


def test_odd_scheme_and_enrolment_ids_are_404(browser, enrolment, orgs):
    for url in (reverse("frontend:aid_enrol", args=[999999]), reverse("frontend:aid_certificate", args=[999999]),
                reverse("frontend:aid_claim_detail", args=[999999]),
                reverse("frontend:aid_claim_document", args=[999999, 1]),
                reverse("frontend:aid_verify", args=["not-a-real-code-0000"])):
        assert browser.get(url).status_code == 404, url
    other = client_for(factories.member(organisation=orgs["unit"]).user)
    assert other.get(reverse("frontend:aid_certificate", args=[enrolment.pk])).status_code == 404


def test_submit_a_claim_with_a_photo_and_see_the_timeline(browser, enrolment, media):
    response = browser.post(reverse("frontend:aid_claim_create"), claim_data(enrolment))
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:aid_claim_detail", args=[claim.pk])
    assert claim.amount_claimed_fen == 80000 and claim.bank_account_last4 == "7890"
    document = ClaimDocument.objects.get(claim=claim)
    assert document.content_type == "image/jpeg" and document.file.name.startswith("private/")
    page = browser.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Claim submitted" in page and "6222021234567890" not in page and "7890" in page
    doc_url = reverse("frontend:aid_claim_document", args=[claim.pk, document.pk])
    assert doc_url in page
    served = browser.get(doc_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"SpyCam" not in b"".join(served.streaming_content)  # re-encoded: no EXIF


def test_claim_on_someone_elses_enrolment_is_404_and_writes_nothing(orgs, enrolment):
    stranger = client_for(factories.member(organisation=orgs["unit"]).user)
    response = stranger.post(reverse("frontend:aid_claim_create"), claim_data(enrolment))
    assert response.status_code == 404
    assert not Claim.objects.exists()
    assert stranger.get(reverse("frontend:aid_claim_create") + f"?enrolment={enrolment.pk}").status_code == 200


@pytest.mark.parametrize("name, content, expect", [
    ("诊断.pdf", EXECUTABLE, 400),
    ("空.jpg", b"", 400),
])
def test_bad_documents_are_field_errors_and_nothing_is_written(browser, enrolment, media, name, content, expect):
    response = browser.post(reverse("frontend:aid_claim_create"), claim_data(
        enrolment, photos=[], documents=[SimpleUploadedFile(name, content, content_type="application/pdf")]))
    assert response.status_code == expect
    assert 'id="id_documents_error"' in response.content.decode()
    assert not Claim.objects.exists() and not ClaimDocument.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()] if media.exists() else True


def test_claim_without_documents_or_with_a_missing_date_is_refused(browser, enrolment):
    response = browser.post(reverse("frontend:aid_claim_create"), claim_data(enrolment, photos=[]))
    assert response.status_code == 400 and 'id="id_documents_error"' in response.content.decode()
    response = browser.post(reverse("frontend:aid_claim_create"), claim_data(enrolment, admission_on=""))
    assert response.status_code == 400 and 'id="id_admission_on_error"' in response.content.decode()
    assert not Claim.objects.exists()


def test_officer_asks_for_more_the_member_sends_it_then_sees_approval(browser, enrolment, orgs):
    browser.post(reverse("frontend:aid_claim_create"), claim_data(enrolment))
    claim = Claim.objects.get()
    officer = client_for(factories.staff(organisation=orgs["city"], role=Role.MUTUALAID_OFFICER))
    url = reverse("frontend:console:claim_detail", args=[claim.pk])
    assert officer.post(url, {"action": "more", "more-message": "请补充出院小结"}).status_code == 302
    page = browser.get(reverse("frontend:aid_claim_detail", args=[claim.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "请补充出院小结" in page.content.decode() and "More documents needed" in page.content.decode()
    response = browser.post(reverse("frontend:aid_claim_detail", args=[claim.pk]), {
        "documents": [SimpleUploadedFile("出院小结.png", png_bytes(), content_type="image/png")], "message": "已补充"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.documents.count() == 2
    assert officer.post(url, {"action": "approve", "approve-amount_yuan": f"{claim.suggested_payout_fen / 100:.2f}",
                              "approve-reason": ""}).status_code == 302
    page = browser.get(reverse("frontend:aid_claim_detail", args=[claim.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "Approved" in text and 'data-testid="approved-amount"' in text
    assert "Send more documents" not in text  # decided: no upload form


def test_the_verification_page_shows_no_personal_data(enrolment, holder):
    response = Client().get(reverse("frontend:aid_verify", args=[enrolment.certificate_code]),
                            HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Valid: this person is covered." in text and "王**" in text and "职工住院互助保障" in text
    for private in ("王小宝", "王互助", holder.member_number, holder.user.email, "2015", str(holder.user.phone)[-8:]):
        assert private not in text, private
    assert response["X-Robots-Tag"] == "noindex"


def test_schemes_by_kind_with_the_price_for_some_shares(browser, orgs, scheme):
    make_scheme(orgs["city"], title="重大疾病互助", kind=SchemeKind.CRITICAL_ILLNESS, union_funded=False,
                contribution_fen=5000, lump_sum_fen=1000000, per_day_allowance_fen=0)
    page = browser.get(reverse("frontend:aid_schemes"), {"kind": "critical_illness", "shares": "3"},
                       HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "重大疾病互助" in page and "职工住院互助保障" not in page
    assert "3 shares cost ¥150.00 for the term." in page
    odd = browser.get(reverse("frontend:aid_schemes"), {"kind": "nope", "shares": "9999"}, HTTP_ACCEPT_LANGUAGE="en")
    assert odd.status_code == 200 and "重大疾病互助" in odd.content.decode() and "was ignored" in odd.content.decode()
