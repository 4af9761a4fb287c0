"""Statistics in Chromium on a 360 px phone: the dashboard draws its ECharts charts (no console errors, no CSP
report) over the tables that stay its content, a statistician drills into a child organisation, starts an export
and watches it finish; the pages are axe clean and work without JavaScript."""

import re
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from playwright.sync_api import expect

from portal.members.models import Organisation, Role
from portal.stats.models import Channel, ServiceKind, ServiceRecord, Target, TargetMetric
from portal.stats.rollups import rollup_rebuild_range
from tests import factories
from tests.bookings import builders

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def stats_scene(orgs):
    """A year of records under the city (both children) and one under the sibling city; a city statistician."""
    year = timezone.localdate().year
    palace = builders.palace(orgs["city"], name="甲市工人文化宫")
    source = ContentType.objects.get_for_model(Organisation)
    rows = [(orgs["unit"], 1, 40, ServiceKind.ACTIVITY, Channel.ONLINE), (orgs["unit2"], 1, 25, ServiceKind.ACTIVITY,
                                                                           Channel.OFFLINE),
            (orgs["unit"], 1, 6, ServiceKind.STAY, Channel.ONLINE), (orgs["sibling_unit"], 1, 999, ServiceKind.ACTIVITY,
                                                                      Channel.ONLINE)]
    for i, (org, month, persons, kind, channel) in enumerate(rows, start=1):
        ServiceRecord.objects.create(date=date(year, month, 2), organisation=org, kind=kind, channel=channel,
                                     persons=persons, facility=palace if org != orgs["sibling_unit"] else None,
                                     source_type=source, source_id=i)
    rollup_rebuild_range(start=date(year, 1, 1), end=date(year, 12, 31))
    for org, value in ((orgs["city"], 100), (orgs["county"], 1000)):  # the county is behind: named on the city's
        Target.objects.create(organisation=org, year=year, metric=TargetMetric.PERSON_TIMES, value=value)
    factories.staff(organisation=orgs["city"], role=Role.STATISTICIAN, email="stats-city@example.com")
    return {"year": year}


def staff_page(new_page, **kwargs):
    page = new_page(**kwargs)
    login(page, email="stats-city@example.com", password=factories.PASSWORD, totp_secret=factories.TOTP_SECRET)
    return page


def watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_the_dashboard_draws_its_charts_and_drills_into_a_child(new_page, orgs, stats_scene):
    page = staff_page(new_page, language="en")
    errors = watch_errors(page)
    page.goto("/console/stats/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("甲市总工会")
    expect(page.locator("[data-chart=months][data-chart-ready=true] canvas")).to_be_visible()
    expect(page.locator("[data-chart=children][data-chart-ready=true] canvas")).to_be_visible()
    expect(page.get_by_test_id("months-table")).to_contain_text("71")  # January: 40 + 25 + 6
    assert page.evaluate(FITS)
    assert "999" not in page.get_by_test_id("headline").inner_text()
    expect(page.get_by_test_id("targets")).to_contain_text("71 of 100")

    page.get_by_test_id("children-table").get_by_role("link", name="甲县总工会").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("甲县总工会")
    expect(page.locator("[data-chart=months][data-chart-ready=true] canvas")).to_be_visible()
    expect(page.get_by_test_id("headline")).to_contain_text("46")  # 40 + 6 under the county
    assert page.evaluate(FITS)
    assert errors == []


def test_the_dashboard_works_without_javascript(new_page, stats_scene):
    page = staff_page(new_page, language="en", javascript=False)
    page.goto("/console/stats/")
    expect(page.get_by_test_id("months-table")).to_contain_text("71")
    expect(page.locator("[data-chart] canvas")).to_have_count(0)
    page.get_by_role("link", name="Annual report").first.click()
    expect(page.get_by_test_id("report-facilities")).to_be_visible()


def test_start_an_export_watch_it_finish_and_run_it_again_from_a_template(new_page, orgs, stats_scene):
    from portal.stats.models import Export

    year = stats_scene["year"]
    page = staff_page(new_page, language="en")
    errors = watch_errors(page)
    page.goto("/console/stats/")
    page.get_by_role("link", name="Exports").first.click()
    page.select_option("select[name=kind]", "service_records")
    page.fill("input[name=start]", f"{year}-01-01")
    page.fill("input[name=end]", f"{year}-12-31")
    page.check("input[name=format][value=csv]")
    page.fill("input[name=template_name]", "Monthly records")
    assert page.evaluate(FITS)
    page.get_by_role("button", name="Start the export").click()
    export = Export.objects.get()
    row = page.locator(f"#export-{export.pk}")
    expect(row).to_have_attribute("data-status", "done")  # htmx polls a running row until it is done
    expect(row.get_by_role("progressbar")).to_have_count(0)
    with page.expect_download() as download:
        row.get_by_test_id("export-download").click()
    body = open(download.value.path(), encoding="utf-8-sig").read()
    assert "甲县机械厂工会" in body and "乙市" not in body

    page.get_by_role("button", name=re.compile("Run “Monthly records”")).click()
    expect(page.locator("[data-testid=exports] > li")).to_have_count(2)
    expect(page.locator("[data-testid=exports] > li").first).to_have_attribute("data-status", "done")
    assert page.evaluate(FITS)
    assert errors == []


def test_statistics_pages_have_no_serious_accessibility_violations(new_page, orgs, stats_scene):
    from .test_quality import check

    page = staff_page(new_page, language="en")
    found = check(page, ["/console/stats/", f"/console/stats/?org={orgs['county'].pk}", "/console/stats/report/",
                         "/console/stats/targets/", "/console/stats/exports/"])
    assert found == {}
