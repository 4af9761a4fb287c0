"""Spreadsheets for imports (work-unit rosters): XLSX or CSV, told apart by content, never by name.

XLSX is a zip holding `[Content_Types].xml` and `xl/workbook.xml`; macro-enabled workbooks, the old
binary .xls, zips with symbolic links and zips that would inflate to an unreasonable size or number of
files are refused. CSV is text that decodes
as UTF-8 (with or without the BOM Excel writes) or as GBK (read as its superset GB18030, which Excel
on a Chinese Windows writes), without NUL or other control characters.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ._common import AcceptedFile, read_upload, refuse, safe_filename

MAX_TABLE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000  # a one-sheet roster has about a dozen; this is far beyond any real workbook
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TEXT_CONTROLS = {"\t", "\n", "\r"}


@dataclass(frozen=True)
class AcceptedTable(AcceptedFile):
    format: str  # "xlsx" or "csv"
    encoding: str | None  # for CSV: "utf-8-sig", "utf-8" or "gb18030"; None for XLSX


def _xlsx(data: bytes, field: str, max_unzipped_bytes: int) -> None:
    not_a_workbook = refuse(field, _("The file is not a readable Excel workbook (.xlsx)."), "not_xlsx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
            raise not_a_workbook
        # Judged from the zip's directory, before anything is inflated (ASVS 5.2.3, 5.2.5).
        if any((info.external_attr >> 16) & 0o170000 == 0o120000 for info in infos):
            raise not_a_workbook  # a symbolic link has no business in a workbook
        if len(infos) > MAX_ZIP_MEMBERS or sum(info.file_size for info in infos) > max_unzipped_bytes:
            raise refuse(field, _("The workbook is too large once unpacked; split it into smaller files."),
                         "too_large_unzipped")
        content_types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError):
        raise not_a_workbook from None
    if "xl/vbaProject.bin" in names or b"macroEnabled" in content_types:
        raise refuse(field, _("Workbooks with macros are not accepted; save it as a plain .xlsx workbook."),
                     "macros")


def _csv_encoding(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS for ch in text):
            return None
        if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            return "utf-8"
        return encoding
    return None


def accept_table(file, *, max_bytes: int = MAX_TABLE_BYTES, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
                 field: str = "file") -> AcceptedTable:
    """Tell an XLSX workbook from a CSV text by content and return which it is (and a CSV's encoding);
    anything else is refused with a field error on `field`."""
    name = safe_filename(getattr(file, "name", ""), default="table")
    data = read_upload(file, max_bytes=max_bytes, field=field)
    if data.startswith(b"PK\x03\x04"):
        _xlsx(data, field, max_unzipped_bytes)
        return AcceptedTable(kind="table", content=data, extension="xlsx", content_type=XLSX_CONTENT_TYPE,
                             original_name=name, format="xlsx", encoding=None)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise refuse(field, _("Old Excel files (.xls) are not accepted; save it as .xlsx or CSV."), "xls")
    encoding = _csv_encoding(data)
    if encoding is None:
        raise refuse(field, _("Upload an Excel workbook (.xlsx) or a CSV file."), "not_a_table")
    return AcceptedTable(kind="table", content=data, extension="csv", content_type="text/csv",
                         original_name=name, format="csv", encoding=encoding)
