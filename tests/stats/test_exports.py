"""Exports: queued with 202, written by the task with progress, private to the requester, expiring (410),
audited; saved templates re-run; files match the ledger and never carry a live formula."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from portal.audit.models import AuditAction, AuditEvent
from portal.members.models import Role
from portal.stats.exports import services as export_services
from portal.stats.exports.services import exports_purge, exports_resume_stalled
from portal.stats.models import Export, ExportStatus, ExportTemplate, ServiceRecord
from portal.stats.rollups import rollup_rebuild_range
from tests import factories
from tests.conftest import staff_client

from .conftest import palace, records

URL = "/api/v1/exports/"
pytestmark = pytest.mark.django_db


def _start(client, capture, body):
    with capture(execute=True):
        response = client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    return response


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def ledger_2000(orgs, facilities):
    formula = palace(orgs["unit"], "=HYPERLINK(\"http://evil\")")
    rows = [{"date": date(2026, 1, 1) + timedelta(days=n % 200), "organisation": orgs["unit" if n % 3 else "city"],
             "facility": formula if n % 7 == 0 else facilities["city"], "persons": 1 + n % 5,
             "kind": ("activity", "stay", "mutual_aid", "walk_in")[n % 4], "channel": ("online", "offline")[n % 2],
             "skilled_worker": n % 6 == 0} for n in range(2000)]
    rows.append({"date": date(2026, 3, 1), "organisation": orgs["sibling_unit"], "persons": 9})
    records(rows)
    return rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_2000_row_export_matches_the_ledger(province_api, province_stats, orgs, ledger_2000,
                                              django_capture_on_commit_callbacks, fmt):
    response = _start(province_api, django_capture_on_commit_callbacks, {
        "kind": "service_records", "format": fmt, "filters": {"org": orgs["city"].pk, "start": "2026-01-01",
                                                              "end": "2026-12-31"}})
    assert response.status_code == 202, response.json()
    export_id = response.json()["id"]
    status = province_api.get(f"{URL}{export_id}/").json()
    assert status["status"] == "done" and status["progress"] == 100 and status["row_count"] == 2000
    download = province_api.get(status["download_url"])
    assert download.status_code == 200
    content = _body(download)
    if fmt == "csv":
        assert content.startswith("\ufeff".encode())
        table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        table = [[("" if c is None else c) for c in row] for row in sheet.iter_rows(values_only=True)]
    header, rows = table[0], table[1:]
    assert header[0] == "Date" and len(rows) == 2000
    persons = header.index("Person-times")
    assert sum(int(r[persons]) for r in rows) == sum(
        ServiceRecord.objects.filter(organisation__path__startswith=orgs["city"].path).values_list("persons",
                                                                                               flat=True))
    facility = header.index("Facility")
    assert any(str(r[facility]).startswith("'=HYPERLINK") for r in rows)
    assert not any(str(r[facility]).startswith("=") for r in rows)
    assert "乙市" not in content.decode("utf-8-sig", errors="ignore") if fmt == "csv" else True
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="stats.export",
                                     object_id=str(export_id), actor=province_stats).exists()


@pytest.mark.parametrize("kind", ["service_records", "summary", "bookings", "stays", "enrolments", "claims"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_kind_writes_a_file(province_api, orgs, facilities, django_capture_on_commit_callbacks, kind, fmt):
    records([{"date": date(2026, 2, 1), "organisation": orgs["unit"], "persons": 3}])
    rollup_rebuild_range(start=date(2026, 1, 1), end=date(2026, 12, 31))
    response = _start(province_api, django_capture_on_commit_callbacks,
                      {"kind": kind, "format": fmt, "filters": {"start": "2026-01-01", "end": "2026-12-31"}})
    assert response.status_code == 202
    status = province_api.get(f"{URL}{response.json()['id']}/").json()
    assert status["status"] == "done", status
    assert province_api.get(status["download_url"]).status_code == 200


def test_the_asset_report_workbook_has_a_sheet_per_section_and_totals_that_agree(
        province_api, orgs, facilities, django_capture_on_commit_callbacks):
    records([{"date": date(2026, 1, 5), "organisation": orgs["city"], "persons": 30},
             {"date": date(2026, 2, 5), "organisation": orgs["unit"], "kind": "stay", "persons": 4, "nights": 8,
              "skilled_worker": True},
             {"date": date(2026, 3, 5), "organisation": orgs["sibling_unit"], "kind": "mutual_aid", "persons": 7},
             {"date": date(2026, 3, 6), "organisation": orgs["province"], "kind": "walk_in", "persons": 5,
              "channel": "offline"}])
    rollup_rebuild_range(start=date(2026, 1, 1), end=date(2026, 12, 31))
    response = _start(province_api, django_capture_on_commit_callbacks,
                      {"kind": "asset_report", "format": "xlsx", "filters": {"year": 2026}})
    status = province_api.get(f"{URL}{response.json()['id']}/").json()
    workbook = load_workbook(io.BytesIO(_body(province_api.get(status["download_url"]))), read_only=True)
    assert len(workbook.sheetnames) == 7

    def total(sheet_index):
        rows = list(workbook.worksheets[sheet_index].iter_rows(values_only=True))
        assert rows[-1][0] == "Total"
        return rows[-1]

    palaces, recuperation, aid, children = total(1), total(2), total(3), total(6)
    assert palaces[1] == 35 and palaces[2] == 30 and recuperation[1] == 4 and recuperation[2] == 4 and aid[1] == 7
    assert children[2] == palaces[1] and children[5] == recuperation[1] and children[6] == aid[1]
    assert children[7] == palaces[1] + recuperation[1] + aid[1] == 46
    assert total(0)[2] == 4  # four facilities


def test_others_get_404_and_an_expired_export_410(province_api, orgs, facilities, django_capture_on_commit_callbacks):
    records([{"date": date(2026, 2, 1), "organisation": orgs["unit"], "persons": 3}])
    response = _start(province_api, django_capture_on_commit_callbacks,
                      {"kind": "service_records", "format": "csv", "filters": {}})
    export = Export.objects.get(pk=response.json()["id"])
    download = f"{URL}{export.pk}/download/"
    colleague = staff_client(factories.staff(organisation=orgs["province"], role=Role.STATISTICIAN))
    assert colleague.get(f"{URL}{export.pk}/").status_code == 404
    assert colleague.get(download).status_code == 404
    assert colleague.get(URL).json()["count"] == 0
    assert province_api.get(download).status_code == 200
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    gone = province_api.get(download)
    assert gone.status_code == 410 and gone.json()["type"] == "gone"
    stored = export.file.name
    assert exports_purge() == 1 and exports_purge() == 0
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and not export.file
    assert not export.file.storage.exists(stored)
    assert province_api.get(download).status_code == 410
    assert province_api.get(f"{URL}{export.pk}/").json()["download_url"] is None


def test_a_city_statistician_cannot_export_another_city(city_api, orgs, django_capture_on_commit_callbacks):
    response = _start(city_api, django_capture_on_commit_callbacks,
                      {"kind": "service_records", "format": "csv", "filters": {"org": orgs["sibling"].pk}})
    assert response.status_code == 404
    assert not Export.objects.exists()


@pytest.mark.parametrize("body,field", [
    ({"kind": "everything", "format": "csv"}, "kind"),
    ({"kind": "summary", "format": "pdf"}, "format"),
    ({"kind": "summary", "format": "csv", "filters": {"colour": "red"}}, "filters.colour"),
    ({"kind": "summary", "format": "csv", "filters": {"start": "2026-02-01", "end": "2026-01-01"}}, "filters.end"),
    ({"kind": "summary", "format": "csv", "filters": {"group_by": "weekday"}}, "filters.group_by"),
    ({"kind": "asset_report", "format": "xlsx", "filters": {}}, "filters.year"),
    ({"kind": "summary", "format": "csv", "filters": "all"}, "filters"),
])
def test_bad_export_requests_are_field_errors(province_api, body, field):
    response = province_api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not Export.objects.exists()


def test_a_template_reruns_and_says_clearly_when_its_filters_no_longer_apply(
        province_api, orgs, django_capture_on_commit_callbacks):
    created = province_api.post("/api/v1/export-templates/", {
        "name": "每月服务人次", "kind": "summary", "format": "xlsx",
        "filters": {"org": orgs["city"].pk, "group_by": "child"}}, format="json")
    assert created.status_code == 201, created.json()
    template_id = created.json()["id"]
    duplicate = province_api.post("/api/v1/export-templates/", {"name": "每月服务人次", "kind": "summary",
                                                                  "format": "csv"}, format="json")
    assert duplicate.status_code == 400 and "name" in duplicate.json()["errors"]
    with django_capture_on_commit_callbacks(execute=True):
        run = province_api.post(f"/api/v1/export-templates/{template_id}/run/")
    assert run.status_code == 202
    export = Export.objects.get(pk=run.json()["id"])
    assert export.status == ExportStatus.DONE and export.template_id == template_id
    assert export.filters["org"] == orgs["city"].pk and export.filters["end"] == timezone.localdate().isoformat()
    ExportTemplate.objects.filter(pk=template_id).update(filters={"org": orgs["city"].pk, "group_by": "weekday",
                                                                  "facility": 3})
    outdated = province_api.post(f"/api/v1/export-templates/{template_id}/run/")
    assert outdated.status_code == 400
    assert "每月服务人次" in outdated.json()["detail"]
    assert {"filters.group_by", "filters.facility"} <= set(outdated.json()["errors"])
    other = staff_client(factories.staff(organisation=orgs["province"], role=Role.STATISTICIAN))
    assert other.post(f"/api/v1/export-templates/{template_id}/run/").status_code == 404
    assert other.delete(f"/api/v1/export-templates/{template_id}/").status_code == 404
    assert province_api.delete(f"/api/v1/export-templates/{template_id}/").status_code == 204


def test_a_template_for_another_city_is_refused(city_api, orgs):
    response = city_api.post("/api/v1/export-templates/", {"name": "乙市", "kind": "summary", "format": "csv",
                                                          "filters": {"org": orgs["sibling"].pk}}, format="json")
    assert response.status_code == 404
    assert not ExportTemplate.objects.exists()


class WorkerKilled(BaseException):
    """kill -9 in the middle of a file: no except clause of the run gets to say anything."""


def _killed_mid_file(fmt, out, header, rows, **kwargs):
    rows = iter(rows)
    for _n in range(50):
        next(rows)
    raise WorkerKilled


@pytest.fixture
def queued_export(province_api, orgs, settings, tmp_path):
    """An export of 300 ledger rows whose task has not run yet (XLSX: the row-by-row path on every database)."""
    settings.MEDIA_ROOT = tmp_path
    records([{"date": date(2026, 1, 1) + timedelta(days=n % 90), "organisation": orgs["unit"], "persons": 2}
             for n in range(300)])
    response = province_api.post(URL, {"kind": "service_records", "format": "xlsx", "filters": {
        "org": orgs["city"].pk, "start": "2026-01-01", "end": "2026-12-31"}}, format="json",
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 202
    return response.json()["id"]


def _stalled(settings, after) -> datetime:
    return after + timedelta(minutes=settings.STATS_EXPORT_STALL_MINUTES + 1)


def test_an_export_whose_worker_died_is_taken_over_and_finishes(
        province_api, queued_export, settings, monkeypatch, django_capture_on_commit_callbacks):
    with monkeypatch.context() as patch:
        patch.setattr(export_services, "write_export", _killed_mid_file)
        with pytest.raises(WorkerKilled):
            export_services.export_run(export_id=queued_export)
    status = province_api.get(f"{URL}{queued_export}/").json()
    assert status["status"] == "running" and status["download_url"] is None
    # Handed on again while the export still looks alive: skipped, and the sweep leaves it alone too.
    assert export_services.export_run(export_id=queued_export) == "skipped"
    assert exports_resume_stalled() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert exports_resume_stalled(now=_stalled(settings, timezone.now())) == 1
    status = province_api.get(f"{URL}{queued_export}/").json()
    assert (status["status"], status["progress"], status["row_count"]) == ("done", 100, 300)
    sheet = load_workbook(io.BytesIO(_body(province_api.get(status["download_url"]))), read_only=True).active
    assert len(list(sheet.iter_rows(values_only=True))) == 301  # the header and every row, once
    assert Export.objects.get(pk=queued_export).attempts == 2


def test_an_export_that_keeps_dying_fails_with_a_message(
        province_api, queued_export, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.STATS_EXPORT_MAX_ATTEMPTS = 3
    monkeypatch.setattr(export_services, "write_export", _killed_mid_file)
    with pytest.raises(WorkerKilled):
        export_services.export_run(export_id=queued_export)
    now = timezone.now()
    for _retry in range(2):
        now = _stalled(settings, now)
        with pytest.raises(WorkerKilled), django_capture_on_commit_callbacks(execute=True):
            exports_resume_stalled(now=now)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert exports_resume_stalled(now=_stalled(settings, now)) == 1
    assert not queued  # given up: not queued a fourth time
    status = province_api.get(f"{URL}{queued_export}/").json()
    assert status["status"] == "failed" and status["download_url"] is None
    assert "stopped before it finished, 3 times" in status["error"]
    assert exports_resume_stalled(now=_stalled(settings, now) + timedelta(hours=1)) == 0


def test_a_slow_run_that_was_taken_over_stops_and_leaves_the_finished_export_alone(
        province_api, queued_export, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    real_write = export_services.write_export
    outcomes = []

    def slow_then_taken_over(fmt, out, header, rows, **kwargs):
        if not outcomes:  # the first run stalls long enough for the sweep to hand the export to a second run
            outcomes.append("stalled")
            with django_capture_on_commit_callbacks(execute=True):
                assert exports_resume_stalled(now=_stalled(settings, timezone.now())) == 1
            assert Export.objects.get(pk=queued_export).status == ExportStatus.DONE
        return real_write(fmt, out, header, rows, **kwargs)

    monkeypatch.setattr(export_services, "write_export", slow_then_taken_over)
    assert export_services.export_run(export_id=queued_export) == "superseded"
    export = Export.objects.get(pk=queued_export)
    assert (export.status, export.progress, export.row_count, export.attempts) == (ExportStatus.DONE, 100, 300, 2)
    assert export.file.storage.exists(export.file.name)
    assert [p.name for p in tmp_path.rglob("*.xlsx")] == [export.file.name.rsplit("/", 1)[-1]]  # one file
