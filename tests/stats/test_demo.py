import time
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.members.models import Organisation
from portal.stats.models import DailyRollup, ServiceRecord
from portal.stats.summary import stats_summary


@pytest.mark.django_db
def test_the_demo_province_has_a_year_of_figures_and_targets():
    started = time.monotonic()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert time.monotonic() - started < 60
    province = Organisation.objects.get(name="浙江省总工会")
    today = timezone.localdate()
    figures = stats_summary(organisation=province, start=date(today.year, 1, 1), end=today, group_by="child")
    totals = figures["totals"]
    assert totals["person_times"] > 100_000 and 50 < totals["online_share"] < 80
    assert totals["recuperation_trips"] > 500 and 20 < totals["skilled_worker_share"] < 45
    assert totals["insured_person_times"] > 1000
    assert {t["metric"] for t in figures["targets"]} >= {"person_times", "recuperation_trips"}
    assert {g["label"] for g in figures["groups"]} >= {"杭州市总工会", "宁波市总工会"}
    # the rollups hold exactly the ledger
    assert sum(DailyRollup.objects.values_list("persons", flat=True)) == sum(
        ServiceRecord.objects.values_list("persons", flat=True))
