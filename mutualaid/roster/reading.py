"""Reading a stored roster file row by row: XLSX through python-calamine, CSV through the csv module.

The file is streamed: a CSV is decoded as it is read, and only calamine's own copy of the first sheet
(cells, not formatting) is in memory for an XLSX. The first non-blank row must name the four columns,
in any order, in Chinese or English (HEADERS); blank rows are skipped; every other row becomes a RawRow
whose `number` is the row number a spreadsheet shows, so the error report points at the right line.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

MAX_ROWS = 100_000
COLUMNS = ("name", "id_number", "phone", "shares")
# Header spellings accepted for each column (compared without spaces, case-insensitively).
HEADERS = {
    "name": ("姓名", "name", "fullname", "realname"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "居民身份证号", "身份证", "residentid", "idnumber",
                  "residentidnumber"),
    "phone": ("手机号", "手机号码", "手机", "电话", "联系电话", "phone", "mobile"),
    "shares": ("份数", "参保份数", "shares"),
}
EXPECTED_HEADER = "姓名, 身份证号, 手机号, 份数 (name, resident ID, phone, shares)"
FILE_FIELD = "file"


@dataclass(frozen=True)
class RawRow:
    number: int  # the row number a spreadsheet shows (the header is row 1 when it is the first row)
    name: str
    id_number: str
    phone: str
    shares: str


def _file_error(message, code: str) -> ValidationError:
    return ValidationError({FILE_FIELD: [ValidationError(message, code=code)]})


def wrong_header_error() -> ValidationError:
    return _file_error(_("The first row must name the columns %(columns)s. Add that header row, or use the "
                         "template.") % {"columns": EXPECTED_HEADER}, "wrong_header")


def _key(value) -> str:
    return "".join(str(value or "").split()).replace("_", "").lower()


def header_map(cells: list) -> dict[str, int]:
    """Column name -> index for a header row, or the wrong-header error naming the expected columns."""
    keys = [_key(cell) for cell in cells]
    found: dict[str, int] = {}
    for column, spellings in HEADERS.items():
        matches = [i for i, key in enumerate(keys) if key in spellings]
        if len(matches) != 1:
            raise wrong_header_error()
        found[column] = matches[0]
    return found


def cell_text(value) -> str:
    """A cell as the text a person typed: a whole number stored as a number loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _rows(cells_iter: Iterator[list]) -> Iterator[RawRow]:
    columns: dict[str, int] | None = None
    count = 0
    for number, cells in enumerate(cells_iter, start=1):
        texts = [cell_text(cell) for cell in cells]
        if not any(texts):
            continue
        if columns is None:
            columns = header_map(texts)
            width = max(columns.values()) + 1
            continue
        count += 1
        if count > MAX_ROWS:
            raise too_many_rows_error()
        texts += [""] * (width - len(texts))
        yield RawRow(number=number, name=texts[columns["name"]], id_number=texts[columns["id_number"]],
                     phone=texts[columns["phone"]], shares=texts[columns["shares"]])
    if columns is None:
        raise _file_error(_("The file holds no rows. Fill in the template and upload it again."), "empty")


def too_many_rows_error() -> ValidationError:
    return _file_error(_("A roster holds at most %(limit)s rows; split the file and upload each part.")
                       % {"limit": f"{MAX_ROWS:,}"}, "too_many_rows")


def _csv_cells(stored_name: str, encoding: str) -> Iterator[list]:
    with default_storage.open(stored_name, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        try:
            yield from csv.reader(text)
        except (UnicodeDecodeError, csv.Error):
            raise unreadable_csv_error() from None


def unreadable_csv_error() -> ValidationError:
    return _file_error(_("The CSV file cannot be read. In Excel or WPS choose “Save as” → “CSV UTF-8 "
                         "(comma delimited)” and upload that file."), "csv_encoding")


def _xlsx_sheet(stored_name: str):
    """The first sheet, read whole by calamine (cells only) while the file is open."""
    from python_calamine import CalamineError, CalamineWorkbook

    with default_storage.open(stored_name, "rb") as raw:
        try:
            return CalamineWorkbook.from_filelike(raw).get_sheet_by_index(0)
        except (CalamineError, ValueError, OSError):
            raise _file_error(_("The file is not a readable Excel workbook (.xlsx)."), "not_xlsx") from None


def _xlsx_cells(stored_name: str) -> Iterator[list]:
    yield from _xlsx_sheet(stored_name).iter_rows()


def read_rows(stored_name: str, *, encoding: str | None) -> Iterator[RawRow]:
    """Every data row of the stored roster (`encoding` None for XLSX, the CSV's encoding otherwise)."""
    if encoding:
        codecs.lookup(encoding)
        return _rows(_csv_cells(stored_name, encoding))
    return _rows(_xlsx_cells(stored_name))


def count_rows(stored_name: str, *, encoding: str | None) -> int:
    """How many data rows `read_rows` will give (for the progress bar); raises the same file errors, except
    that for a workbook it is the sheet's height below the header (blank rows included: validation sets the
    exact count), so the workbook is not walked twice."""
    if encoding:
        return sum(1 for _row in read_rows(stored_name, encoding=encoding))
    sheet = _xlsx_sheet(stored_name)
    first = next(_rows(sheet.iter_rows()), None)  # the header check, and is there anybody?
    if first is None:
        return 0
    total = sheet.end[0] + 1 - first.number + 1  # the last used row (0-based end) minus those above the first
    if total > MAX_ROWS:
        raise too_many_rows_error()
    return total
