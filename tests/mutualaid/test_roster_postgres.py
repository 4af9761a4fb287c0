"""A generated 100,000-row roster on PostgreSQL, through the real services: a file with bad rows writes
nothing; a good file writes every row exactly once, even when the commit task runs twice at the same time
(a retry racing a redelivery) and once more afterwards, and its insured person-times reach the rollups once."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.db.models import Sum

from mutualaid.models import Enrolment, RosterImport, RosterStatus
from mutualaid.roster import services
from portal.errors import Conflict
from portal.members.models import Member, Role, User
from portal.stats.models import MonthlyRollup, RollupDirtyDay, ServiceKind, ServiceRecord, ServiceSource
from tests import factories

from .roster_files import broken_id_number, csv_bytes, make_scheme, rows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROWS = 100_000


@pytest.fixture
def setup(orgs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = factories.staff(organisation=orgs["city"], role=Role.MUTUALAID_OFFICER)
    scheme = make_scheme(orgs["city"], min_age=None, max_age=None)
    return officer, scheme, orgs["unit"]


def _upload(officer, scheme, unit, content: bytes) -> RosterImport:
    # tasks run eagerly and the test is not inside a transaction: the check runs as the upload commits
    roster = services.roster_upload(actor=officer, scheme_id=scheme.pk, organisation_id=unit.pk,
                                    file=SimpleUploadedFile("roster.csv", content))
    return RosterImport.objects.get(pk=roster.pk)


def _written() -> tuple[int, int, int]:
    return (Enrolment.objects.count(), ServiceRecord.objects.filter(kind=ServiceKind.MUTUAL_AID).count(),
            Member.objects.filter(user__email__endswith="@roster.invalid").count())


def test_a_100k_roster_with_bad_rows_writes_nothing(setup):
    officer, scheme, unit = setup
    data = list(rows(ROWS))
    data[50_000][1] = broken_id_number(50_000)
    data[-1][3] = "7"  # above the scheme's maximum of 3
    roster = _upload(officer, scheme, unit, csv_bytes(data))
    assert roster.status == RosterStatus.INVALID
    assert (roster.rows_total, roster.rows_done, roster.errors_count) == (ROWS, ROWS, 2)
    with pytest.raises(Conflict):
        services.roster_confirm(actor=officer, roster_id=roster.pk)
    assert _written() == (0, 0, 0)
    assert not User.objects.filter(email__endswith="@roster.invalid").exists()


def test_a_100k_roster_is_written_exactly_once_when_the_commit_runs_twice_at_once(setup):
    officer, scheme, unit = setup
    roster = _upload(officer, scheme, unit, csv_bytes(rows(ROWS)))
    assert roster.status == RosterStatus.VALID and roster.new_members == ROWS
    # Confirmed, with the commit task delivered twice at the same moment (a retry racing a redelivery).
    RosterImport.objects.filter(pk=roster.pk).update(status=RosterStatus.IMPORTING)
    start = threading.Barrier(2)
    errors: list = []

    def commit():
        try:
            start.wait(timeout=60)
            services.roster_commit(roster_id=roster.pk)
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=commit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors
    roster.refresh_from_db()
    assert roster.status == RosterStatus.DONE and not roster.file
    assert _written() == (ROWS, ROWS, ROWS)
    services.roster_commit(roster_id=roster.pk)  # and once more, later
    assert _written() == (ROWS, ROWS, ROWS)
    assert Enrolment.objects.values("member").distinct().count() == ROWS
    # Counted once per source, and already in the rollups: the commit queued their refresh (run eagerly here).
    assert ServiceSource.objects.count() == ROWS
    assert not RollupDirtyDay.objects.exists()
    assert MonthlyRollup.objects.filter(organisation=unit).aggregate(n=Sum("insured_person_times"))["n"] == ROWS
