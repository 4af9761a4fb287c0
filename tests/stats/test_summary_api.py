"""GET /api/v1/stats/summary/: figures from the rollups, scoped to the statistician's subtree."""

from datetime import date

import pytest
from django.utils.translation import gettext as _

from facilities.models import AssetRecord
from portal.stats.models import Target
from portal.stats.rollups import rollup_rebuild_range
from portal.stats.summary import stats_summary
from portal.stats.targets import year_elapsed

from .conftest import records

URL = "/api/v1/stats/summary/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(orgs, facilities):
    records([
        {"date": date(2026, 1, 5), "organisation": orgs["city"], "facility": facilities["city"], "persons": 30},
        {"date": date(2026, 1, 6), "organisation": orgs["city"], "facility": facilities["city"], "persons": 10,
         "channel": "offline", "kind": "walk_in"},
        {"date": date(2026, 2, 1), "organisation": orgs["unit"], "facility": facilities["unit"], "persons": 20},
        {"date": date(2026, 2, 2), "organisation": orgs["province"], "facility": facilities["sanatorium"],
         "kind": "stay", "persons": 4, "nights": 20, "skilled_worker": True, "programme_trip": True},
        {"date": date(2026, 2, 3), "organisation": orgs["unit2"], "facility": facilities["sanatorium"],
         "kind": "stay", "persons": 6, "nights": 30},
        {"date": date(2026, 3, 1), "organisation": orgs["unit"], "kind": "mutual_aid", "persons": 15},
        {"date": date(2026, 3, 2), "organisation": orgs["sibling_unit"], "facility": facilities["sibling"],
         "persons": 1000},
        {"date": date(2025, 12, 31), "organisation": orgs["city"], "facility": facilities["city"], "persons": 777},
    ])
    rollup_rebuild_range(start=date(2025, 1, 1), end=date(2026, 12, 31))


def test_totals_for_the_province_count_everything_in_the_period(province_api, orgs, ledger):
    response = province_api.get(URL, {"start": "2026-01-01", "end": "2026-12-31"})
    assert response.status_code == 200, response.json()
    totals = response.json()["totals"]
    assert totals["person_times"] == 30 + 10 + 20 + 4 + 6 + 15 + 1000
    assert totals["online_person_times"] == 30 + 20 + 4 + 6 + 15 + 1000
    assert totals["recuperation_trips"] == 10 and totals["skilled_worker_trips"] == 4
    assert totals["skilled_worker_share"] == 40.0 and totals["programme_trips"] == 4
    assert totals["insured_person_times"] == 15 and totals["nights"] == 50
    assert response.json()["facilities"] == {"palace": 3, "sanatorium": 1}
    assert response.json()["organisation"]["id"] == orgs["province"].pk


def test_a_city_statistician_sees_only_the_city(city_api, orgs, ledger):
    body = city_api.get(URL, {"start": "2026-01-01", "end": "2026-12-31", "group_by": "child"}).json()
    assert body["totals"]["person_times"] == 30 + 10 + 20 + 6 + 15
    assert body["facilities"] == {"palace": 2, "sanatorium": 0}
    labels = {g["label"]: g["person_times"] for g in body["groups"]}
    directly = _("Directly at %(name)s") % {"name": "甲市总工会"}  # in the language the API answered in
    assert labels == {directly: 40, "甲县总工会": 35, "甲市公交集团工会": 6}
    assert "乙市" not in str(body)
    for other in ("sibling", "province", "sibling_unit"):
        response = city_api.get(URL, {"org": orgs[other].pk})
        assert response.status_code == 404
    assert city_api.get(URL, {"org": 999999}).status_code == 404


@pytest.mark.parametrize("group_by,expected", [
    ("month", {"2026-01": 40, "2026-02": 30, "2026-03": 1015}),
    ("kind", {"activity": 1050, "walk_in": 10, "stay": 10, "mutual_aid": 15}),
    ("channel", {"online": 1075, "offline": 10}),
    ("category", {"skilled_worker": 4, "other": 1081}),
    ("region", {"330100": 40, "330122": 35, "330000": 4, "330200": 1000}),
])
def test_group_by(province_api, ledger, group_by, expected):
    body = province_api.get(URL, {"start": "2026-01-01", "end": "2026-12-31", "group_by": group_by}).json()
    assert {g["key"]: g["person_times"] for g in body["groups"]} == {
        k: v for k, v in expected.items()} | ({"330100": 46} if group_by == "region" else {})
    assert sum(g["person_times"] for g in body["groups"]) == body["totals"]["person_times"]


def test_group_by_facility_names_each_and_lumps_records_without_one(province_api, ledger):
    body = province_api.get(URL, {"start": "2026-01-01", "end": "2026-12-31", "group_by": "facility"}).json()
    labels = {g["label"]: g["person_times"] for g in body["groups"]}
    assert labels["乙市工人文化宫"] == 1000 and labels[str(_("No facility"))] == 15 and labels["省工人疗休养院"] == 10


@pytest.mark.parametrize("params,field", [
    ({"start": "2026-02-01", "end": "2026-01-01"}, "end"),
    ({"start": "2010-01-01", "end": "2026-01-01"}, "end"),
    ({"group_by": "weekday"}, "group_by"),
    ({"start": "2026-13-45"}, "start"),
    ({"start": "9999-01-01"}, "start"),
    ({"org": "abc"}, "org"),
    ({"org": "99999999999999999999999"}, "org"),
    ({"year": "2025", "start": "2025-03-01"}, "year"),
    ({"year": "2025", "end": "2025-06-30"}, "year"),
    ({"year": "1899"}, "year"),
    ({"year": "2101"}, "year"),
    ({"year": "2025.5"}, "year"),
    ({"year": "x"}, "year"),
])
def test_bad_input_is_a_field_error(province_api, params, field):
    response = province_api.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_year_is_that_whole_calendar_year(province_api, orgs, ledger):
    """DESIGN's `?org=&year=`: the year's figures, the same as its first to its last day (not this year's)."""
    response = province_api.get(URL, {"org": orgs["city"].pk, "year": 2025})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["start"], body["end"]) == ("2025-01-01", "2025-12-31")
    assert body["totals"]["person_times"] == 777
    same = province_api.get(URL, {"org": orgs["city"].pk, "start": "2025-01-01", "end": "2025-12-31"}).json()
    assert body == same
    months = province_api.get(URL, {"year": 2026, "group_by": "month"}).json()
    assert (months["start"], months["end"]) == ("2026-01-01", "2026-12-31")
    assert [g["key"] for g in months["groups"]] == ["2026-01", "2026-02", "2026-03"]


def test_the_schema_documents_the_year(tmp_path):
    import json

    from django.core.management import call_command

    out = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(out))
    parameters = {p["name"]: p for p in json.loads(out.read_text())["paths"][URL]["get"]["parameters"]}
    assert {"org", "year", "start", "end", "group_by"} <= set(parameters)
    assert parameters["year"]["schema"] == {"type": "integer", "minimum": 1900, "maximum": 2100}
    assert "start" in parameters["year"]["description"]


def test_members_and_other_staff_are_refused(api, member_api, orgs):
    from portal.members.models import Role
    from tests import factories
    from tests.conftest import staff_client

    assert api.get(URL).status_code in (401, 403)
    assert member_api.get(URL).status_code == 403
    officer = staff_client(factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER))
    assert officer.get(URL).status_code == 404  # no statistics anywhere: no organisation to show


def _make_tree(orgs, count):
    from tests.factories import _add

    parent = orgs["county"]
    made = []
    for n in range(count):
        made.append(_add(parent, name=f"基层工会{n:03d}", level="grassroots", region_code="330122"))
    records([{"date": date(2026, 1 + n % 12, 1 + n % 28), "organisation": org, "persons": n + 1}
             for n, org in enumerate(made)])
    rollup_rebuild_range(start=date(2026, 1, 1), end=date(2026, 12, 31))


@pytest.mark.parametrize("group_by", ["month", "child", "facility", "region", "kind"])
def test_the_number_of_queries_does_not_grow_with_the_subtree_or_the_period(
        orgs, facilities, django_assert_num_queries, group_by):
    Target.objects.create(organisation=orgs["city"], year=2026, metric="person_times", value=1000)
    Target.objects.create(organisation=orgs["county"], year=2026, metric="person_times", value=10)
    Target.objects.create(organisation=orgs["province"], year=2026, metric="person_times", value=10)
    records([{"date": date(2026, 1, 3), "organisation": orgs["unit"], "facility": facilities["unit"], "persons": 2}])
    rollup_rebuild_range(start=date(2026, 1, 1), end=date(2026, 1, 31))

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            stats_summary(organisation=orgs["city"], start=date(2026, 1, 1), end=date(2026, 1, 31),
                          group_by=group_by)
        return len(ctx.captured_queries)

    small = count_queries()
    _make_tree(orgs, 40)
    with django_assert_num_queries(small):
        stats_summary(organisation=orgs["city"], start=date(2026, 1, 1), end=date(2026, 1, 31), group_by=group_by)
    with django_assert_num_queries(small):
        stats_summary(organisation=orgs["province"], start=date(2017, 1, 1), end=date(2026, 12, 31),
                      group_by=group_by)


def test_targets_show_progress_year_elapsed_and_the_children_behind(province_api, orgs, ledger):
    body = {"organisation": orgs["province"].pk, "year": 2026, "metric": "person_times", "value": 2000}
    assert province_api.post("/api/v1/staff/targets/", body, format="json").status_code == 201
    body["value"] = 2170  # posting again changes the target
    assert province_api.post("/api/v1/staff/targets/", body, format="json").status_code == 201
    province_api.post("/api/v1/staff/targets/", {"organisation": orgs["city"].pk, "year": 2026,
                                                 "metric": "person_times", "value": 1000}, format="json")
    province_api.post("/api/v1/staff/targets/", {"organisation": orgs["sibling"].pk, "year": 2026,
                                                 "metric": "person_times", "value": 1000}, format="json")
    province_api.post("/api/v1/staff/targets/", {"organisation": orgs["province"].pk, "year": 2026,
                                                 "metric": "skilled_worker_share", "value": 50}, format="json")
    assert Target.objects.filter(organisation=orgs["province"]).count() == 2
    response = province_api.get(URL, {"start": "2026-01-01", "end": "2026-12-31"})
    targets = {t["metric"]: t for t in response.json()["targets"]}
    persons = targets["person_times"]
    assert persons["target"] == 2170 and persons["actual"] == 1085 and persons["progress"] == 50.0
    assert persons["year_elapsed"] == year_elapsed(2026)
    # the city (75 of 1000) is behind any time after early January; the sibling city (1000 of 1000) is not
    if persons["year_elapsed"] > 7.5:
        assert [c["name"] for c in persons["children_behind"]] == ["甲市总工会"]
    assert targets["skilled_worker_share"]["actual"] == 40.0 and targets["skilled_worker_share"]["progress"] == 80.0
    listed = province_api.get("/api/v1/staff/targets/", {"org": orgs["province"].pk, "year": 2026}).json()
    assert {t["metric"] for t in listed} == {"person_times", "skilled_worker_share"}


def test_year_elapsed():
    assert year_elapsed(2025, date(2026, 1, 1)) == 100.0
    assert year_elapsed(2027, date(2026, 1, 1)) == 0.0
    assert year_elapsed(2026, date(2026, 7, 2)) == 50.1


def test_targets_outside_the_subtree_or_bad_are_refused(city_api, orgs):
    outside = {"organisation": orgs["sibling"].pk, "year": 2026, "metric": "person_times", "value": 5}
    assert city_api.post("/api/v1/staff/targets/", outside, format="json").status_code == 404
    bad = {"organisation": orgs["city"].pk, "year": 1900, "metric": "happiness", "value": -1}
    response = city_api.post("/api/v1/staff/targets/", bad, format="json")
    assert response.status_code == 400 and {"year", "metric", "value"} <= set(response.json()["errors"])
    share = {"organisation": orgs["city"].pk, "year": 2026, "metric": "skilled_worker_share", "value": 101}
    assert "value" in city_api.post("/api/v1/staff/targets/", share, format="json").json()["errors"]
    assert city_api.get("/api/v1/staff/targets/", {"org": orgs["sibling"].pk}).status_code == 404
    assert not Target.objects.exists()


def test_service_per_asset_ranks_busy_assets_first_and_flags_idle_ones(province_api, orgs, facilities, ledger):
    for facility, value, floor in ((facilities["city"], 100_000_000, 2000), (facilities["sibling"], 1_000_000_00, 500),
                                   (facilities["unit"], 1_000_000, 100)):
        AssetRecord.objects.create(facility=facility, year=2025, book_value_fen=value, land_area_m2=floor,
                                   floor_area_m2=floor, title_status="held", operating_mode="self_run")
    rows = province_api.get("/api/v1/stats/service-per-asset/", {"start": "2026-01-01", "end": "2026-12-31"}).json()
    by_name = {r["name"]: r for r in rows}
    assert by_name["机械厂职工之家"]["per_10k_yuan"] == 20.0  # 20 person-times on 10,000 yuan
    assert by_name["乙市工人文化宫"]["per_m2"] == 2.0
    assert by_name["甲市工人文化宫"]["per_10k_yuan"] == 0.4  # 40 on a million yuan
    assert rows[0]["name"] == "机械厂职工之家"
    assert rows[-1]["book_value_fen"] is None
    city_rows = province_api.get("/api/v1/stats/service-per-asset/", {"org": orgs["sibling"].pk}).json()
    assert [r["name"] for r in city_rows] == ["乙市工人文化宫"]


def test_revenue_and_subsidy_come_from_paid_payments_less_refunds(province_api, city_api, orgs, member):
    from django.utils import timezone

    from bookings.services import booking_create
    from portal.payments.models import Payment, PaymentStatus
    from tests.bookings import builders

    activity = builders.activity(builders.palace(orgs["city"]), title="油画班", price_fen=3000)
    paid = booking_create(member=member, session_id=builders.session(activity, capacity=5).pk)
    unpaid = booking_create(member=member, session_id=builders.session(activity, capacity=5).pk)
    payment = Payment.objects.get(booking=paid)
    share, subsidy = payment.member_share_fen, payment.subsidy_fen
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.PARTIALLY_REFUNDED, refunded_fen=500,
                                                 succeeded_at=timezone.now())
    assert Payment.objects.filter(booking=unpaid).exists()
    today = timezone.localdate().isoformat()
    totals = province_api.get(URL, {"start": today, "end": today}).json()["totals"]
    assert totals["revenue_fen"] == share - 500 and totals["subsidy_fen"] == subsidy and totals["currency"] == "CNY"
    sibling = province_api.get(URL, {"org": orgs["sibling"].pk, "start": today, "end": today}).json()["totals"]
    assert sibling["revenue_fen"] == 0
