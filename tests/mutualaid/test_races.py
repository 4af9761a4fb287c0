"""Concurrent officers and members against PostgreSQL, each thread on its own connection: approvals of claims
under one enrolment never pass its cap per term together, and the same person enrolled from many requests at
once is enrolled once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.db.models import Sum
from rest_framework.test import APIClient

from mutualaid import services
from mutualaid.models import Claim, Enrolment, SchemeKind
from mutualaid.selectors import local_today
from portal.members.models import Role
from tests import factories
from tests.conftest import staff_client

from .aid import active_enrolment, make_scheme, photo

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(n: int, work) -> list:
    start, results = threading.Event(), []

    def one(i: int):
        try:
            start.wait(timeout=60)
            results.append(work(i))
        except Exception as exc:  # noqa: BLE001 - asserted below
            results.append(repr(exc))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(one, i) for i in range(n)]
        start.set()
        for future in futures:
            future.result()
    return results


def test_concurrent_approvals_stay_within_the_cap_per_term():
    orgs = factories.org_tree()
    member = factories.member(organisation=orgs["unit"])
    scheme = make_scheme(orgs["city"], kind=SchemeKind.CRITICAL_ILLNESS, illnesses=[], lump_sum_fen=400_000,
                         cap_per_claim_fen=400_000, cap_per_term_fen=1_000_000)
    enrolment = active_enrolment(member, scheme)
    claims = []
    for day in range(1, 7):
        claims.append(services.claim_submit(
            member=member, enrolment_id=enrolment.pk, event_type="critical_illness",
            diagnosis_on=local_today() - timedelta(days=day), amount_claimed_fen=400_000, bank_name="银行",
            bank_account="6222020200112233445", documents=[photo()]))
    officers = [factories.staff(organisation=orgs["city"], role=Role.MUTUALAID_OFFICER) for _ in range(6)]

    def approve(i: int) -> int:
        client = staff_client(officers[i])
        client.raise_request_exception = False
        return client.post(f"/api/v1/staff/claims/{claims[i].pk}/approve/", {}, format="json").status_code

    statuses = _run(6, approve)
    assert all(s in (200, 400) for s in statuses), statuses
    approved = Claim.objects.filter(enrolment=enrolment, status="approved")
    total = approved.aggregate(total=Sum("approved_amount_fen"))["total"] or 0
    assert total <= 1_000_000
    assert statuses.count(200) == approved.count() >= 2


def test_the_same_person_enrolled_from_many_requests_at_once_is_enrolled_once():
    orgs = factories.org_tree()
    member = factories.member(organisation=orgs["unit"])
    scheme = make_scheme(orgs["city"])

    def enrol(i: int) -> int:
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(member.user)
        return client.post("/api/v1/enrolments/", {"scheme": scheme.pk, "shares": 1 + i % 3, "insured": "self"},
                           format="json").status_code

    statuses = _run(12, enrol)
    assert sorted(set(statuses)) == [201, 409], statuses
    assert statuses.count(201) == 1
    assert Enrolment.objects.filter(scheme=scheme, member=member).count() == 1
