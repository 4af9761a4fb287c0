"""The error report: every bad row and why, as a formula-safe CSV (portal.exports) in private storage.

Rows carry the row number, the name and the resident ID masked to its last four characters (the clear
number never leaves the uploaded file). Bad rows are spooled to a temporary file as they are found, so a
roster that is all errors still validates in flat memory.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from portal.exports import write_csv
from portal.uploads import Visibility
from portal.uploads.storage import stored_name

from .validation import CheckedRow

_SPOOL_BYTES = 4 * 1024 * 1024


class ErrorReport:
    def __init__(self) -> None:
        self._lines = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+", encoding="utf-8")
        self.count = 0

    def add(self, rows: Iterable[CheckedRow]) -> None:
        for row in rows:
            if row.errors:
                self._lines.write(json.dumps([row.number, row.name, row.masked_id, "；".join(row.errors)],
                                             ensure_ascii=False) + "\n")
                self.count += 1

    def _rows(self) -> Iterator[list]:
        self._lines.seek(0)
        for line in self._lines:
            yield json.loads(line)

    def save(self) -> str:
        """Store the report (when a row was bad) and return its storage name, else ""."""
        try:
            if not self.count:
                return ""
            with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as output:
                write_csv(output, [_("Row"), _("Name"), _("Resident ID number (last 4)"), _("Problems")],
                          self._rows())
                output.seek(0)
                return default_storage.save(
                    stored_name(directory="rosters", visibility=Visibility.PRIVATE, extension="csv"),
                    File(output))
        finally:
            self._lines.close()
