"""Quota places under concurrency on PostgreSQL, each thread on its own connection.

- Officers of two child unions approve at once, both falling back on the parent allocation they share: the
  places taken never exceed what the tree holds, and every approved application holds exactly one place.
- Hand-backs, allocations and approvals race on the same allocations: afterwards every sum still holds (a child's
  places come out of its parent's, used places equal place-holding applications): nothing is lost or made up.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from bookings.models import PLACE_HOLDING_STATUSES, Application, ApplicationStatus, QuotaAllocation
from bookings.services import applications as apps
from bookings.services import quotas
from portal.members.models import Role
from tests import factories
from tests.bookings import programme_builders as pb

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(jobs) -> list[str]:
    start = threading.Event()
    errors: list[str] = []

    def wrap(job):
        try:
            start.wait(timeout=120)
            try:
                job()
            except Exception as exc:  # noqa: BLE001 - domain refusals are expected; anything else is collected
                if getattr(exc, "status_code", 500) >= 500:
                    errors.append(repr(exc))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(wrap, job) for job in jobs]
        start.set()
        for future in futures:
            future.result()
    connections.close_all()
    return errors


def _check_sums(batch) -> None:
    allocations = list(QuotaAllocation.objects.filter(batch=batch))
    for a in allocations:
        assert a.used + a.allocated_to_children <= a.places, a
        assert a.allocated_to_children == sum(c.places for c in allocations if c.parent_id == a.pk), a
        handed = sum(c.handed_back for c in allocations if c.parent_id == a.pk)
        assert handed >= 0
    root = next(a for a in allocations if a.parent_id is None)
    assert root.places == batch.places
    holding = Application.objects.filter(batch=batch, status__in=PLACE_HOLDING_STATUSES)
    assert sum(a.used for a in allocations) == holding.count()
    for a in allocations:
        assert a.used == holding.filter(allocation=a).count(), a


def test_two_child_unions_approving_at_once_never_exceed_the_shared_parent():
    orgs = factories.org_tree()
    city_officer = pb.runner(orgs["city"])
    prog = pb.programme(orgs["city"], actor=city_officer, skilled_share_percent=0)
    batch = pb.batch(prog, pb.sanatorium(orgs["province"]), places=12)
    root = QuotaAllocation.objects.get(batch=batch, parent=None)
    # The county and the bus company each hold 2; both fall back on the city's 8 free places.
    county = quotas.allocate(actor=city_officer, allocation_id=root.pk, organisation=orgs["county"], places=2)
    quotas.allocate(actor=city_officer, allocation_id=root.pk, organisation=orgs["unit2"], places=2)
    quotas.allocate(actor=city_officer, allocation_id=county.pk, organisation=orgs["unit"], places=2)
    # Officers of the two child unions answer for the city's places too (granted at the city).
    officer_a = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    officer_b = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    members = [factories.member(organisation=orgs["unit"]) for _ in range(15)]
    members += [factories.member(organisation=orgs["unit2"]) for _ in range(15)]
    applications = [apps.application_submit(member=m, programme_id=prog.pk, batch_id=batch.pk) for m in members]

    jobs = [(lambda a=a, o=(officer_a if i % 2 else officer_b): apps.application_approve(actor=o,
                                                                                          application_id=a.pk))
            for i, a in enumerate(applications)]
    assert _run(jobs) == []
    approved = Application.objects.filter(batch=batch, status=ApplicationStatus.APPROVED).count()
    assert approved == 12  # every place of the tree, and not one more
    _check_sums(batch)


def test_hand_back_racing_approvals_loses_nothing():
    orgs = factories.org_tree()
    city_officer = pb.runner(orgs["city"])
    prog = pb.programme(orgs["city"], actor=city_officer, skilled_share_percent=20)
    batch = pb.batch(prog, pb.sanatorium(orgs["province"]), places=40)
    root = QuotaAllocation.objects.get(batch=batch, parent=None)
    county = quotas.allocate(actor=city_officer, allocation_id=root.pk, organisation=orgs["county"], places=20)
    unit = quotas.allocate(actor=city_officer, allocation_id=county.pk, organisation=orgs["unit"], places=12)
    unit_officer = factories.staff(organisation=orgs["unit"], role=Role.UNION_OFFICER)
    members = [factories.member(organisation=orgs["unit"], skilled_worker=(i % 5 == 0)) for i in range(24)]
    applications = [apps.application_submit(member=m, programme_id=prog.pk, batch_id=batch.pk) for m in members]

    jobs = []
    for i, a in enumerate(applications):
        jobs.append(lambda a=a: apps.application_approve(actor=unit_officer, application_id=a.pk))
        if i % 3 == 0:
            jobs.append(lambda: quotas.hand_back(actor=city_officer, allocation_id=unit.pk, places=1))
        if i % 4 == 0:
            jobs.append(lambda: quotas.allocate(actor=city_officer, allocation_id=county.pk,
                                                organisation=orgs["unit"], places=1))
        if i % 6 == 0:
            jobs.append(lambda: quotas.hand_back(actor=city_officer, allocation_id=county.pk, places=1))
    assert _run(jobs) == []
    _check_sums(batch)
    unit.refresh_from_db()
    # The unit officer answers only for the unit's allocation: everything approved came from it.
    assert Application.objects.filter(batch=batch, status=ApplicationStatus.APPROVED).exclude(
        allocation=unit).count() == 0
    # A skilled reservation is never eaten by others.
    assert unit.skilled_reserved <= unit.places - unit.allocated_to_children - unit.used + unit.skilled_used
