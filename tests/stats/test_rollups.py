"""The daily rollup equals a full recount of the ledger, however rows arrive; rebuilds change nothing."""

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from portal.stats.models import DailyRollup, RollupDirtyDay, ServiceRecord
from portal.stats.rollups import KEY_COLUMNS, mark_day_dirty, rollup_rebuild_range, rollups_refresh
from portal.stats.services import service_record_add
from tests import factories

from .conftest import palace, records

KEYS = [k.removesuffix("_id") for k in KEY_COLUMNS]


def recount() -> dict:
    rows = ServiceRecord.objects.values(*KEYS).annotate(p=Sum("persons"), n=Sum("nights"), c=Count("id"))
    return {tuple(r[k] for k in KEYS): (r["p"], r["n"], r["c"]) for r in rows}


def monthly_matches_the_ledger() -> bool:
    from django.db.models.functions import TruncMonth

    from portal.stats.models import MonthlyRollup

    ledger = {(r["m"], r["organisation"]): r["p"] for r in ServiceRecord.objects.annotate(m=TruncMonth("date"))
              .values("m", "organisation").annotate(p=Sum("persons"))}
    monthly = {(r.month, r.organisation_id): r.person_times for r in MonthlyRollup.objects.all()}
    return ledger == {k: v for k, v in monthly.items() if v}


def rolled_up() -> dict:
    return {tuple(r[k] for k in KEYS): (r["persons"], r["nights"], r["records"])
            for r in DailyRollup.objects.values(*KEYS, "persons", "nights", "records")}


record_rows = st.lists(st.fixed_dictionaries({
    "day": st.integers(0, 40), "where": st.sampled_from(["unit", "unit2", "sibling_unit", "city"]),
    "facility": st.booleans(), "kind": st.sampled_from(["activity", "stay", "mutual_aid", "walk_in"]),
    "channel": st.sampled_from(["online", "offline"]), "model_worker": st.booleans(),
    "skilled_worker": st.booleans(), "programme_trip": st.booleans(), "persons": st.integers(1, 50),
    "nights": st.integers(0, 7),
}), max_size=25)


class TestIncrementalEqualsRecount(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.orgs = factories.org_tree()
        cls.palace = palace(cls.orgs["city"])

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(batches=st.lists(record_rows, min_size=1, max_size=4))
    def test_random_inserts_then_incremental_rollups_equal_a_full_recount(self, batches):
        start = date(2026, 1, 1)
        for batch in batches:
            rows = [{"date": start + timedelta(days=r["day"]), "organisation": self.orgs[r["where"]],
                     "facility": self.palace if r["facility"] else None,
                     **{k: r[k] for k in ("kind", "channel", "model_worker", "skilled_worker", "programme_trip",
                                          "persons", "nights")}} for r in batch]
            records(rows)
            for row in rows:
                mark_day_dirty(row["date"])
            rollups_refresh()
            assert rolled_up() == recount()
            assert monthly_matches_the_ledger()
        assert rollups_refresh() == 0  # nothing left to do: a second run changes nothing
        assert rolled_up() == recount()
        rollup_rebuild_range(start=start, end=start + timedelta(days=40))
        assert rolled_up() == recount()
        assert monthly_matches_the_ledger()


@pytest.mark.django_db
def test_a_new_ledger_row_marks_its_day_and_the_refresh_counts_it_once(orgs, member):
    day = date(2026, 5, 1)
    service_record_add(source=member, day=day, organisation=orgs["unit"], kind="walk_in", channel="offline",
                       persons=3)
    assert RollupDirtyDay.objects.filter(date=day).exists()
    assert rollups_refresh() == 1
    assert rollups_refresh() == 0
    assert DailyRollup.objects.get(date=day).persons == 3


@pytest.mark.django_db
def test_stats_rebuild_is_idempotent_and_matches_a_recount(orgs, capsys):
    records([{"date": date(2026, 1, d), "organisation": orgs["unit"], "persons": d} for d in range(1, 29)]
            + [{"date": date(2026, 2, 3), "organisation": orgs["sibling_unit"], "kind": "stay", "nights": 4}])
    call_command("stats_rebuild", "--from", "2026-01-01", "--to", "2026-03-31")
    first = rolled_up()
    call_command("stats_rebuild", "--from", "2026-01-01", "--to", "2026-03-31")
    assert rolled_up() == first == recount()
    assert "rollup rows" in capsys.readouterr().out
    # a wrong rollup row inside the range is repaired; outside the range nothing is touched
    DailyRollup.objects.filter(date=date(2026, 1, 5)).update(persons=999)
    call_command("stats_rebuild", "--from", "2026-01-05", "--to", "2026-01-05")
    assert rolled_up() == recount()


@pytest.mark.django_db
def test_stats_rebuild_refuses_a_backwards_range():
    with pytest.raises(CommandError):
        call_command("stats_rebuild", "--from", "2026-02-01", "--to", "2026-01-01")
    with pytest.raises(CommandError):
        call_command("stats_rebuild", "--from", "2026-02-30", "--to", "2026-03-01")
