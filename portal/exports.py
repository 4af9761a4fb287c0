"""THE export helper: every CSV and XLSX the portal produces is written here.

- Formula injection: a text cell starting with `=`, `+`, `-`, `@`, tab, CR or NUL (or full-width `=+-@`,
  which some spreadsheet locales also read as formulas) is prefixed with a single quote, as OWASP
  recommends, so Excel, WPS and LibreOffice show it as text and never evaluate it. Numbers, dates and
  booleans keep their type (an XLSX count stays a number you can sum).
- CSV is UTF-8 with a BOM (Excel on Chinese Windows otherwise reads it as GBK); XLSX is written with
  openpyxl's write-only workbook (rows go to disk as they come: memory stays flat for any size).
- Rows are any iterable (a queryset iterator, a generator): nothing is held in memory at once.
- Responses stream (`StreamingHttpResponse` / `FileResponse`) with a safe `Content-Disposition`
  (an ASCII fallback plus RFC 5987 `filename*` for Chinese names) and `nosniff`; `write_csv` /
  `write_xlsx` write to any binary file object, for exports built by Celery tasks.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from portal.uploads import content_disposition, harden

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
BOM = "\ufeff"
# OWASP's list plus NUL (ASVS 5.0 1.2.10) and the full-width signs Chinese input methods type.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Spooled XLSX output stays in memory up to this size, then moves to a temporary file.
_SPOOL_BYTES = 8 * 1024 * 1024


def neutralise(value: Any) -> Any:
    """A cell value safe for a spreadsheet: text that a spreadsheet would read as a formula gets a leading
    `'`; numbers, dates and booleans are returned unchanged; None becomes empty; anything else is text."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | time):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _plain(value: Any) -> Any:
    """Aware datetimes in the portal's time zone without tzinfo (spreadsheets have no time zones)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _csv_text(value: Any) -> Any:
    value = _plain(neutralise(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return str(value).upper()
    return value


class _Echo:
    """csv.writer writes each row into this and gets it straight back, to yield it (Django's streaming CSV)."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text row by row: the BOM, the header, then every row, each cell neutralised."""
    writer = csv.writer(_Echo())
    yield BOM
    yield writer.writerow([_csv_text(cell) for cell in header])
    for row in rows:
        yield writer.writerow([_csv_text(cell) for cell in row])


def write_csv(fileobj: IO[bytes], header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """Write a UTF-8 (with BOM) CSV to a binary file object."""
    for chunk in csv_chunks(header, rows):
        fileobj.write(chunk.encode("utf-8"))


def _xlsx_cell(sheet, value: Any) -> WriteOnlyCell:
    value = _plain(neutralise(value))
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XLSX cannot hold (openpyxl raises)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store a leading "=" as a formula
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def write_xlsx(fileobj: IO[bytes], header: Sequence[Any], rows: Iterable[Sequence[Any]], *,
               sheet_title: str = "Sheet1") -> None:
    """Write a one-sheet XLSX workbook (header row frozen) to a binary file object."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_cell(sheet, cell) for cell in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, cell) for cell in row])
    workbook.save(fileobj)


def _sheet_title(title: str) -> str:
    # Excel forbids []:*?/\ in sheet names and allows 31 characters.
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(title)).strip("'") or "Sheet1"
    return cleaned[:31]


def _filename(stem: str, fmt: str) -> str:
    return f"{stem}.{fmt}" if not stem.lower().endswith(f".{fmt}") else stem


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """A streamed CSV download named `filename` (".csv" added if missing)."""
    language = translation.get_language()

    def stream() -> Iterator[bytes]:
        # Rows are read while the response is sent: keep the request's language for lazy labels in them.
        with translation.override(language):
            for chunk in csv_chunks(header, rows):
                yield chunk.encode("utf-8")

    response = StreamingHttpResponse(stream(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(_filename(filename, "csv"), attachment=True)
    harden(response, cache="private, no-store")
    return response


def xlsx_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], *,
                  sheet_title: str = "Sheet1") -> FileResponse:
    """An XLSX download named `filename` (".xlsx" added if missing), built in a spooled temporary file
    (a zip needs its directory written last, so it cannot stream row by row) and streamed from there."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)
    write_xlsx(spool, header, rows, sheet_title=sheet_title)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(_filename(filename, "xlsx"), attachment=True)
    harden(response, cache="private, no-store")
    return response


def export_response(fmt: str, filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], *,
                    sheet_title: str = "Sheet1"):
    """`csv_response` or `xlsx_response` by `fmt` ("csv" or "xlsx")."""
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows, sheet_title=sheet_title)
    if fmt == "csv":
        return csv_response(filename, header, rows)
    raise ValueError(f"unknown export format {fmt!r}")


def write_export(fmt: str, fileobj: IO[bytes], header: Sequence[Any], rows: Iterable[Sequence[Any]], *,
                 sheet_title: str = "Sheet1") -> None:
    """`write_csv` or `write_xlsx` by `fmt`, for exports written to a file (Celery tasks)."""
    if fmt == "xlsx":
        write_xlsx(fileobj, header, rows, sheet_title=sheet_title)
    elif fmt == "csv":
        write_csv(fileobj, header, rows)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
