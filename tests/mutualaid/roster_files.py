"""Generated rosters for the roster import tests and bench/roster_import.py: valid resident ID numbers
(python-stdnum's check digit), Chinese names, mobile numbers; written as CSV (any encoding) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from stdnum.cn import ric

HEADER = ["姓名", "身份证号", "手机号", "份数"]
_DIGIT_CHARS = "零一二三四五六七八九"
_SURNAMES = "王李张刘陈杨黄赵吴周"


def id_number(i: int, *, born: date | None = None, region: str = "110105") -> str:
    """The i-th valid resident ID number (unique for i < 9,000,000): birth dates spread over 1970-1999."""
    birth = born or date(1970, 1, 1) + timedelta(days=i % 10_000)
    base = f"{region}{birth:%Y%m%d}{i // 10_000 % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


def broken_id_number(i: int) -> str:
    good = id_number(i)
    return good[:-1] + ("0" if good[-1] != "0" else "1")


def person_name(i: int) -> str:
    return _SURNAMES[i % 10] + "".join(_DIGIT_CHARS[int(d)] for d in str(i))[:8]


def phone(i: int) -> str:
    return f"137{i:08d}"


def rows(n: int, *, start: int = 0, shares: int = 1) -> Iterator[list[str]]:
    for i in range(start, start + n):
        yield [person_name(i), id_number(i), phone(i), str(shares)]


def csv_bytes(data: Iterable[list], *, encoding: str = "utf-8-sig", header: list | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER if header is None else header)
    writer.writerows(data)
    return buffer.getvalue().encode(encoding)


def write_xlsx(target, data: Iterable[list], *, header: list | None = None) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名单")
    sheet.append(HEADER if header is None else header)
    for row in data:
        sheet.append(row)
    workbook.save(target)


def xlsx_bytes(data: Iterable[list], *, header: list | None = None) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, data, header=header)
    return buffer.getvalue()


def write_csv_file(path: Path, data: Iterable[list]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(data)


def make_scheme(organisation, **fields):
    # Django imports here: bench/roster_import.py generates files before Django is set up.
    from django.utils import timezone

    from mutualaid.models import Scheme, SchemeKind, SchemeStatus

    today = timezone.localdate()
    values = dict(title="职工住院互助保障", kind=SchemeKind.INPATIENT, status=SchemeStatus.OPEN,
                  term_start=today + timedelta(days=30), term_end=today + timedelta(days=394),
                  contribution_fen=3000, max_shares=3, min_age=16, max_age=65,
                  enrolment_opens_on=today - timedelta(days=10), enrolment_closes_on=today + timedelta(days=20),
                  waiting_period_days=90, per_day_allowance_fen=5000, cap_per_claim_fen=500000,
                  cap_per_term_fen=1000000, union_funded=True)
    values.update(fields)
    return Scheme.objects.create(organisation=organisation, **values)
