"""The PostgreSQL COPY path of CSV exports writes exactly the bytes of the Python writer: formula-looking
cells neutralised the same way, Chinese text, commas, quotes and line breaks quoted the same way."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from portal.exports import write_csv
from portal.stats.exports import copy as copy_module
from portal.stats.exports.copy import copy_csv
from portal.stats.exports.kinds import service_records
from portal.stats.exports.services import export_run
from portal.stats.models import Export, ExportStatus

from .conftest import palace, records

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TRICKY = ["=1+1", "+86138", "-3", "@x", "\tx", "\rx", "＝1+1", "＋86", "－3", "＠x", "工人文化宫, 东区",
          '他说"你好"', "第一行\n第二行", "第一行\r\n第二行", "'quoted", " =space first", "普通的名字", "a\\.b", "\\."]


@pytest.fixture
def tricky_ledger(orgs):
    rows = []
    for n, name in enumerate(TRICKY):
        facility = palace(orgs["unit"], name)
        rows.append({"date": date(2026, 1, 1) + timedelta(days=n), "organisation": orgs["unit"],
                     "facility": facility, "persons": 1 + n, "nights": n % 3, "kind": ("activity", "stay")[n % 2],
                     "channel": ("online", "offline")[n % 2], "skilled_worker": n % 2 == 0,
                     "model_worker": n % 3 == 0, "programme_trip": n % 4 == 0})
    rows.append({"date": date(2026, 2, 1), "organisation": orgs["unit"], "facility": None, "persons": 2})
    orgs["unit"].name = "=机械厂,\"工会\"\n分会"
    orgs["unit"].save(update_fields=["name"])
    records(rows)
    return rows


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_copy_path_writes_the_same_bytes_as_the_python_writer(orgs, tricky_ledger, language):
    with translation.override(language):
        table = service_records(orgs["city"], {"start": date(2026, 1, 1), "end": date(2026, 12, 31)})
        python, copied = io.BytesIO(), io.BytesIO()
        write_csv(python, table.header, table.rows)
        counts = []
        count = copy_csv(copied, table.header, table.copy, on_rows=counts.append)
    assert count == len(tricky_ledger)
    assert copied.getvalue() == python.getvalue()
    rows = list(csv.reader(io.StringIO(copied.getvalue().decode("utf-8-sig"), newline="")))
    facilities = [row[2] for row in rows[1:]]
    assert facilities[:4] == ["'=1+1", "'+86138", "'-3", "'@x"]
    assert "'\tx" in facilities and "工人文化宫, 东区" in facilities and "第一行\n第二行" in facilities
    assert rows[1][1] == "'=机械厂,\"工会\"\n分会"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)


def test_a_csv_export_on_postgresql_goes_through_copy_with_the_same_file(orgs, province_stats, tricky_ledger,
                                                                         monkeypatch):
    # Chunks of 7 rows: progress is reported while the COPY still holds the connection (a second one reports it).
    monkeypatch.setattr(copy_module, "CHUNK_ROWS", 7)
    export = Export.objects.create(requester=province_stats, organisation=orgs["province"], kind="service_records",
                                   format="csv", filters={"start": "2026-01-01", "end": "2026-12-31"},
                                   language="zh-hans", expires_at=timezone.now() + timedelta(days=1))
    assert export_run(export_id=export.pk) == "done"
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.progress == 100 and export.row_count == len(tricky_ledger)
    with translation.override("zh-hans"):
        table = service_records(orgs["province"], {"start": date(2026, 1, 1), "end": date(2026, 12, 31)})
        python = io.BytesIO()
        write_csv(python, table.header, table.rows)
    with export.file.open("rb") as stored:
        content = stored.read()
    assert content == python.getvalue()
    assert content.startswith("\ufeff日期".encode())
