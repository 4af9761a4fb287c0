"""Builders and fixtures of the mutual-aid tests (import the fixtures with `from .aid import *`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mutualaid import services
from mutualaid.models import Enrolment, Scheme, SchemeKind, SchemeStatus, add_years
from mutualaid.selectors import local_today
from portal.members.models import Dependant, Role
from tests import factories
from tests.conftest import staff_client
from tests.images import image_bytes, png_bytes
from tests.uploads.test_documents import pdf

__all__ = ["aid_officer", "inpatient", "make_scheme", "officer_api", "pdf_file", "photo", "sibling_officer",
           "sibling_officer_api", "spouse"]

SCHEDULES = {
    SchemeKind.INPATIENT: {"per_day_allowance_fen": 5000, "ratio_percent": 50, "deductible_fen": 100_000,
                           "cap_per_claim_fen": 500_000, "cap_per_term_fen": 1_000_000},
    SchemeKind.CRITICAL_ILLNESS: {"lump_sum_fen": 1_000_000, "illnesses": ["恶性肿瘤", "急性心肌梗塞"],
                                  "cap_per_claim_fen": 1_000_000, "cap_per_term_fen": 1_000_000},
    SchemeKind.WOMENS_ILLNESS: {"lump_sum_fen": 500_000, "illnesses": ["乳腺癌"],
                                "cap_per_claim_fen": 500_000, "cap_per_term_fen": 500_000},
    SchemeKind.ACCIDENT: {"injury_schedule": {"death": 2_000_000, "fracture": 300_000},
                          "cap_per_claim_fen": 2_000_000, "cap_per_term_fen": 2_000_000},
}


def make_scheme(organisation, *, kind: str = SchemeKind.INPATIENT, term_start: date | None = None,
                **fields) -> Scheme:
    """An open scheme whose enrolment window includes today and whose term started 30 days ago."""
    today = local_today()
    start = term_start or today - timedelta(days=30)
    values = {"title": f"{kind} 互助保障计划", "kind": kind, "status": SchemeStatus.OPEN, "term_years": 1,
              "term_start": start, "term_end": add_years(start, 1) - timedelta(days=1),
              "contribution_fen": 3000, "max_shares": 5, "enrolment_opens_on": today - timedelta(days=60),
              "enrolment_closes_on": today + timedelta(days=60), "waiting_period_days": 0, **SCHEDULES[kind]}
    values.update(fields)
    return Scheme.objects.create(organisation=organisation, **values)


def pdf_file(name: str = "invoice.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf(), content_type="application/pdf")


def photo(name: str = "receipt.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG", (40, 30)), content_type="image/jpeg")


def png(name: str = "receipt.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def active_enrolment(member, scheme, *, shares: int = 1, dependant=None, enrolled_long_ago: bool = True):
    """An active enrolment; by default as if made when the term started (cover from the term start), so
    events of the past days are covered unless the scheme has a waiting period."""
    enrolment = services.enrolment_create(member=member, scheme_id=scheme.pk, shares=shares,
                                          dependant_id=dependant.pk if dependant else None)
    services.enrolment_mark_paid(enrolment_id=enrolment.pk)
    if enrolled_long_ago:
        cover = scheme.term_start + timedelta(days=scheme.waiting_period_days)
        Enrolment.objects.filter(pk=enrolment.pk).update(cover_starts_on=cover)
    enrolment.refresh_from_db()
    return enrolment


def hospital_claim(member, enrolment, *, days_ago: int = 10, stay: int = 5, eligible: int = 300_000, **extra):
    admitted = local_today() - timedelta(days=days_ago)
    fields = {"event_type": "hospitalisation", "admission_on": admitted,
              "discharge_on": admitted + timedelta(days=stay),
              "amount_claimed_fen": eligible, "eligible_amount_fen": eligible, "bank_name": "中国工商银行",
              "bank_account": "6222020200112233445", "documents": [photo()], **extra}
    return services.claim_submit(member=member, enrolment_id=enrolment.pk, **fields)


@pytest.fixture
def inpatient(orgs):
    return make_scheme(orgs["city"])


@pytest.fixture
def spouse(member):
    return Dependant.objects.create(member=member, name="李华", relation="spouse", birth_date=date(1990, 3, 1))


@pytest.fixture
def aid_officer(orgs):
    return factories.staff(organisation=orgs["city"], role=Role.MUTUALAID_OFFICER)


@pytest.fixture
def officer_api(aid_officer):
    return staff_client(aid_officer)


@pytest.fixture
def sibling_officer(orgs):
    return factories.staff(organisation=orgs["sibling"], role=Role.MUTUALAID_OFFICER)


@pytest.fixture
def sibling_officer_api(sibling_officer):
    return staff_client(sibling_officer)


def big_upload(size: int, name: str = "huge.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * size, content_type="application/pdf")

