"""Console statistics pages: the dashboard of a subtree (figures, month and child tables, chart data, CSV),
drilling into a child, the annual report, targets, exports; scope (a city statistician never sees another
city's figures); odd query strings never 500."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from facilities.models import AssetRecord
from portal.members.models import Organisation, Role
from portal.stats.models import Channel, Export, ExportTemplate, ServiceKind, ServiceRecord, Target
from portal.stats.rollups import rollup_rebuild_range
from tests import factories
from tests.bookings import builders

from .conftest import client_for as signed_in

pytestmark = pytest.mark.django_db

YEAR = 2025
_source_ids = itertools.count(1)


def client_for(user):
    """Signed in (password and TOTP), reading the pages in English so assertions do not depend on translations."""
    client = signed_in(user)
    client.cookies["django_language"] = "en"
    return client


def record(organisation, day, *, persons=1, kind=ServiceKind.ACTIVITY, channel=Channel.ONLINE, facility=None,
           skilled=False):
    return ServiceRecord.objects.create(
        date=day, organisation=organisation, kind=kind, channel=channel, persons=persons, facility=facility,
        skilled_worker=skilled, source_type=ContentType.objects.get_for_model(Organisation),
        source_id=next(_source_ids))


@pytest.fixture
def figures(orgs):
    """The city (甲市) and the sibling city (乙市) each with a palace and a year of records."""
    palace = builders.palace(orgs["city"], name="甲市工人文化宫")
    sibling_palace = builders.palace(orgs["sibling"], name="乙市工人文化宫")
    AssetRecord.objects.create(facility=palace, year=YEAR, book_value_fen=50_000_000, land_area_m2=1000,
                               floor_area_m2=2000, title_status="held", operating_mode="self_run")
    record(orgs["unit"], date(YEAR, 3, 5), persons=70, facility=palace)                     # county's unit, online
    record(orgs["unit2"], date(YEAR, 3, 9), persons=30, facility=palace, channel=Channel.OFFLINE)
    record(orgs["unit"], date(YEAR, 7, 1), persons=4, kind=ServiceKind.STAY, skilled=True)
    record(orgs["unit"], date(YEAR, 7, 2), persons=6, kind=ServiceKind.STAY)
    record(orgs["unit2"], date(YEAR, 9, 1), persons=11, kind=ServiceKind.MUTUAL_AID, channel=Channel.OFFLINE)
    record(orgs["sibling_unit"], date(YEAR, 3, 5), persons=987_654, facility=sibling_palace)
    rollup_rebuild_range(start=date(YEAR, 1, 1), end=date(YEAR, 12, 31))
    return {"palace": palace, "sibling_palace": sibling_palace}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs what a request queued for after its commit (the export task; Celery is eager in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def city_stats(orgs):
    return client_for(factories.staff(organisation=orgs["city"], role=Role.STATISTICIAN))


@pytest.fixture
def province_stats(orgs):
    return client_for(factories.staff(organisation=orgs["province"], role=Role.STATISTICIAN))


def dashboard(client, **query):
    return client.get(reverse("frontend:console:stats_dashboard"), {"year": YEAR, **query})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def chart_json(response) -> dict:
    match = re.search(r'<script id="stats-charts" type="application/json">(.*?)</script>', response.content.decode(),
                      re.S)
    return json.loads(match.group(1))


def test_the_dashboard_shows_the_city_subtree_for_the_year(city_stats, orgs, figures):
    response = dashboard(city_stats)
    assert response.status_code == 200
    page = text(response)
    assert "甲市总工会 · 2025" in page
    assert "121" in page  # 70 + 30 + 4 + 6 + 11 person-times
    assert "10" in page and "40.0% skilled workers" in page  # 4 of 10 trips
    assert "987654" not in page and "乙市" not in page  # never the sibling city's figures
    months = chart_json(response)["months"]
    assert len(months["labels"]) == 12
    assert months["series"][0]["values"][2] == 70 and months["series"][1]["values"][2] == 30  # March
    children = chart_json(response)["children"]
    assert children["labels"] == ["甲县总工会", "甲市公交集团工会"]
    assert children["series"][0]["values"] == [80, 41]


def test_the_chart_has_its_table_and_the_script_is_not_inline(city_stats, figures):
    body = dashboard(city_stats).content.decode()
    assert 'data-testid="months-table"' in body and 'data-testid="children-table"' in body
    assert "vendor/echarts.min.js" in body and "frontend/stats-charts.js" in body
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body)
    assert inline == []


def test_drilling_into_a_child_shows_only_its_subtree(city_stats, orgs, figures):
    body = text(dashboard(city_stats))
    link = f'?org={orgs["county"].pk}&amp;year={YEAR}'
    assert link in body
    page = text(dashboard(city_stats, org=orgs["county"].pk))
    assert "甲县总工会 · 2025" in page
    assert chart_json(dashboard(city_stats, org=orgs["county"].pk))["months"]["series"][0]["values"][2] == 70
    assert "甲市总工会" in page  # the breadcrumb back up


def test_the_picker_lists_federations_and_a_grassroots_union_opens_by_drilling_down(city_stats, orgs, figures):
    body = dashboard(city_stats).content.decode()
    assert f'<option value="{orgs["county"].pk}"' in body and f'<option value="{orgs["unit"].pk}"' not in body
    response = dashboard(city_stats, org=orgs["unit"].pk)
    assert response.status_code == 200
    assert f'<option value="{orgs["unit"].pk}" selected' in response.content.decode()
    assert chart_json(response)["months"]["series"][0]["values"][2] == 70


def test_another_citys_organisation_is_404(city_stats, orgs, figures):
    for name in ("stats_dashboard", "stats_report", "stats_targets"):
        response = city_stats.get(reverse(f"frontend:console:{name}"), {"org": orgs["sibling"].pk})
        assert response.status_code == 404, name
    response = city_stats.get(reverse("frontend:console:stats_csv"), {"table": "months", "org": orgs["sibling"].pk})
    assert response.status_code == 404
    assert dashboard(city_stats, org=orgs["province"].pk).status_code == 404  # above them: not theirs either


@pytest.mark.parametrize("query", [{"org": "abc"}, {"org": "-1"}, {"org": "9" * 30}, {"year": "1800"},
                                   {"year": "99999"}, {"year": "x"}, {"year": "2025.5"}])
def test_odd_query_strings_say_so_and_never_500(city_stats, figures, query):
    response = city_stats.get(reverse("frontend:console:stats_dashboard"), query)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "was ignored" in text(response)


def test_unknown_org_id_is_404(city_stats, figures):
    assert dashboard(city_stats, org=2**31 - 2).status_code == 404


def test_the_csv_downloads_hold_the_tables(city_stats, orgs, figures):
    response = city_stats.get(reverse("frontend:console:stats_csv"), {"table": "children", "year": YEAR})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][:2] == ["甲县总工会", "80"] and rows[2][:2] == ["甲市公交集团工会", "41"]
    months = city_stats.get(reverse("frontend:console:stats_csv"), {"table": "months", "year": YEAR})
    lines = list(csv.reader(io.StringIO(b"".join(months.streaming_content).decode("utf-8-sig"))))
    assert len(lines) == 13 and lines[3][1] == "100"
    facilities = city_stats.get(reverse("frontend:console:stats_csv"), {"table": "facilities", "year": YEAR})
    body = b"".join(facilities.streaming_content).decode("utf-8-sig")
    assert "甲市工人文化宫" in body and "乙市" not in body
    assert city_stats.get(reverse("frontend:console:stats_csv"), {"table": "secrets"}).status_code == 404


def test_records_made_at_the_organisation_itself_have_their_own_row(city_stats, orgs, figures):
    record(orgs["city"], date(YEAR, 5, 1), persons=9)
    rollup_rebuild_range(start=date(YEAR, 5, 1), end=date(YEAR, 5, 1))
    page = text(dashboard(city_stats))
    assert "Directly at 甲市总工会" in page and "130" in page  # 121 + 9
    response = city_stats.get(reverse("frontend:console:stats_csv"), {"table": "children", "year": YEAR})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[-1][:2] == ["Directly at 甲市总工会", "9"]
    assert sum(int(r[1]) for r in rows[1:]) == 130


def test_facilities_are_ranked_by_service_per_asset(city_stats, figures):
    page = text(dashboard(city_stats))
    assert "甲市工人文化宫" in page
    # 100 person-times / 500,000 yuan * 10,000 = 2.0 per 10,000 yuan; 100 / 2000 m² = 0.05 per m²
    assert "2.0" in page and "0.05" in page


def test_targets_set_on_the_form_show_progress_on_the_dashboard(city_stats, orgs, figures):
    url = reverse("frontend:console:stats_targets") + f"?org={orgs['city'].pk}&year={YEAR}"
    assert city_stats.get(url).status_code == 200
    response = city_stats.post(url, {"recuperation_trips": "20", "person_times": ""})
    assert response.status_code == 302
    assert Target.objects.get(organisation=orgs["city"], year=YEAR, metric="recuperation_trips").value == 20
    page = text(dashboard(city_stats))
    assert "10 of 20 (50.0%)" in page
    bad = city_stats.post(url, {"recuperation_trips": "-5"})
    assert bad.status_code == 400
    assert Target.objects.get(organisation=orgs["city"], year=YEAR, metric="recuperation_trips").value == 20


def test_the_annual_report_has_every_section(city_stats, orgs, figures):
    response = city_stats.get(reverse("frontend:console:stats_report"), {"year": YEAR})
    assert response.status_code == 200
    page = text(response)
    for key in ("facilities", "palaces", "recuperation", "mutual_aid", "revenue", "targets", "children"):
        assert f'data-testid="report-{key}"' in page
    assert "甲县总工会" in page and "乙市" not in page and "987654" not in page
    assert 'name="kind" value="asset_report"' in page


def test_the_report_workbook_is_an_export_of_its_own(city_stats, orgs, figures, media, commit):
    page = city_stats.get(reverse("frontend:console:stats_report"), {"org": orgs["county"].pk, "year": YEAR})
    form = re.search(r'<form method="post" action="([^"]+)" class="no-print">(.*?)</form>', page.content.decode(),
                     re.S)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(2)))
    with commit():
        response = city_stats.post(form.group(1), fields)
    assert response.status_code == 302
    export = Export.objects.get()
    assert (export.kind, export.format, export.organisation, export.filters["year"], export.status) == (
        "asset_report", "xlsx", orgs["county"], YEAR, "done")
    download = city_stats.get(reverse("frontend:console:stats_export_download", args=[export.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    assert len(workbook.sheetnames) == 7
    response = city_stats.post(form.group(1), {**fields, "organisation": orgs["sibling"].pk})
    assert response.status_code == 400 and Export.objects.count() == 1


# --- exports ---------------------------------------------------------------------------------------------------

def start(client, orgs, **overrides):
    data = {"kind": "service_records", "organisation": orgs["city"].pk, "start": f"{YEAR}-01-01",
            "end": f"{YEAR}-12-31", "format": "csv", "template_name": "", **overrides}
    return client.post(reverse("frontend:console:stats_exports"), data)


def test_an_export_started_on_the_page_finishes_and_downloads(city_stats, orgs, figures, media, commit):
    assert city_stats.get(reverse("frontend:console:stats_exports")).status_code == 200
    with commit():
        response = start(city_stats, orgs)
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.status == "done" and export.progress == 100  # eager Celery in tests
    page = text(city_stats.get(reverse("frontend:console:stats_exports")))
    assert f'id="export-{export.pk}"' in page and 'data-testid="export-download"' in page
    download = city_stats.get(reverse("frontend:console:stats_export_download", args=[export.pk]))
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "甲县机械厂工会" in body and "乙市" not in body and "987654" not in body


def test_a_running_export_shows_a_progress_bar_that_polls(city_stats, orgs, figures):
    start(city_stats, orgs)  # the task runs after the commit, which this test never makes: it stays queued
    export = Export.objects.get()
    Export.objects.filter(pk=export.pk).update(status="running", progress=40)
    body = city_stats.get(reverse("frontend:console:stats_exports")).content.decode()
    row = re.search(rf'<li class="card export" id="export-{export.pk}".*?</li>', body, re.S).group(0)
    assert 'hx-trigger="every 2s"' in row and 'value="40"' in row
    assert 'data-testid="export-download"' not in row
    assert city_stats.get(reverse("frontend:console:stats_export_download", args=[export.pk])).status_code == 409


def test_the_status_fragment_is_what_htmx_swaps(city_stats, orgs, figures, media):
    start(city_stats, orgs)
    export = Export.objects.get()
    url = reverse("frontend:console:stats_export", args=[export.pk])
    fragment = city_stats.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.content.decode().lstrip().startswith("<li")
    assert "<html" in city_stats.get(url).content.decode()


def test_bad_export_choices_are_field_errors_and_start_nothing(city_stats, orgs, figures):
    response = start(city_stats, orgs, start=f"{YEAR}-12-31", end=f"{YEAR}-01-01")
    assert response.status_code == 400 and "The end comes before the start." in text(response)
    response = start(city_stats, orgs, start="2001-01-01", end="2020-01-01")
    assert response.status_code == 400
    response = start(city_stats, orgs, organisation=orgs["sibling"].pk)
    assert response.status_code == 400  # not a choice: another city's organisation is not offered
    response = start(city_stats, orgs, kind="everything", format="pdf", start="2026-13-45")
    assert response.status_code == 400
    assert not Export.objects.exists()


def test_someone_elses_export_is_404(city_stats, orgs, figures, media):
    start(city_stats, orgs)
    export = Export.objects.get()
    colleague = client_for(factories.staff(organisation=orgs["city"], role=Role.STATISTICIAN))
    sibling = client_for(factories.staff(organisation=orgs["sibling"], role=Role.STATISTICIAN))
    for client in (colleague, sibling):
        assert client.get(reverse("frontend:console:stats_export", args=[export.pk])).status_code == 404
        assert client.get(reverse("frontend:console:stats_export_download", args=[export.pk])).status_code == 404
        assert f"export-{export.pk}" not in text(client.get(reverse("frontend:console:stats_exports")))


def test_an_expired_export_answers_410(city_stats, orgs, figures, media, commit):
    with commit():
        start(city_stats, orgs)
    Export.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    export = Export.objects.get()
    assert city_stats.get(reverse("frontend:console:stats_export_download", args=[export.pk])).status_code == 410


def test_a_saved_template_runs_again(city_stats, orgs, figures, media, commit):
    start(city_stats, orgs, template_name="每月服务明细", rolling="on", kind="summary", format="xlsx")
    template = ExportTemplate.objects.get()
    assert template.name == "每月服务明细" and "start" not in template.filters  # rolling: to date when run
    page = text(city_stats.get(reverse("frontend:console:stats_exports")))
    assert "每月服务明细" in page
    run = reverse("frontend:console:stats_template_run", args=[template.pk])
    assert city_stats.get(run).status_code == 405
    with commit():
        assert city_stats.post(run).status_code == 302
    assert Export.objects.filter(template=template, status="done").count() == 1
    other = client_for(factories.staff(organisation=orgs["city"], role=Role.STATISTICIAN))
    assert other.post(run).status_code == 404


def test_a_template_whose_filters_no_longer_apply_says_so(city_stats, orgs, figures, media):
    start(city_stats, orgs, template_name="旧模板", rolling="")
    template = ExportTemplate.objects.get()
    ExportTemplate.objects.filter(pk=template.pk).update(filters={**template.filters, "channel": "carrier pigeon"})
    response = city_stats.post(reverse("frontend:console:stats_template_run", args=[template.pk]), follow=True)
    assert "旧模板" in text(response) and Export.objects.filter(template=template).count() == 0


def test_the_province_statistician_sees_both_cities(province_stats, orgs, figures):
    page = text(dashboard(province_stats))
    assert "甲市总工会" in page and "乙市总工会" in page
    assert "987775" in page  # 121 + 987,654


def test_only_statisticians_and_admins_open_the_pages(orgs, figures):
    officer = client_for(factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER))
    assert dashboard(officer).status_code == 403


def test_the_console_menu_offers_statistics_to_statisticians(city_stats, orgs):
    body = city_stats.get(reverse("frontend:console:today")).content.decode()
    assert reverse("frontend:console:stats_dashboard") in body


def test_the_dashboard_reads_a_fixed_number_of_queries_whatever_the_tree(province_stats, orgs, figures):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert dashboard(province_stats).status_code == 200
        return len(queries)

    before = count()
    for i in range(5):  # more cities, more palaces and more records: the same queries
        city = Organisation.objects.add_child(Organisation.objects.get(pk=orgs["province"].pk), create_kwargs={
            "name": f"丙{i}市总工会", "level": "city", "region_code": "330300"})
        palace = builders.palace(city, name=f"丙{i}市工人文化宫")
        record(city, date(YEAR, 4, 1), persons=3, facility=palace)
    rollup_rebuild_range(start=date(YEAR, 4, 1), end=date(YEAR, 4, 1))
    assert count() == before
