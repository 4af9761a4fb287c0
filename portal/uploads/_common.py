"""What every accepted upload looks like, and reading an upload with a size cap."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class AcceptedFile:
    """An upload that passed its kind's checks; nothing is written yet (see `store_upload`)."""

    kind: str  # "image", "pdf", "table"
    content: bytes  # what will be stored: re-encoded for images, the checked bytes otherwise
    extension: str  # from the decoded content, never from the client's file name
    content_type: str
    original_name: str  # the client's name made safe, for display and downloads only


def refuse(field: str, message: str, code: str) -> ValidationError:
    """A field error in the shape the API handler and `apply_service_errors` both understand."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def read_upload(file, *, max_bytes: int, field: str) -> bytes:
    """The upload's bytes, refusing an empty file or one over `max_bytes` without reading past the cap."""
    size = getattr(file, "size", None)
    too_large = refuse(field, _("The file is larger than %(limit)s.") % {"limit": filesizeformat(max_bytes)},
                       "too_large")
    if size is not None and size > max_bytes:
        raise too_large
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large
    if not data:
        raise refuse(field, _("The file is empty."), "empty")
    return bytes(data)


def safe_filename(name: str | None, *, default: str = "download", max_length: int = 100) -> str:
    """A client- or user-supplied file name reduced to something safe to show and to put in a header:
    no directories, control or format characters, quotes, backslashes or leading dots; at most
    `max_length` characters, keeping the extension."""
    name = str(name or "")
    name = PureWindowsPath(PurePosixPath(name).name).name  # drop "../" and "C:\\..." parts
    name = "".join(ch for ch in unicodedata.normalize("NFC", name)
                   if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    name = name.replace('"', "").replace("\\", "").replace(";", "").strip(" .")
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:10] if dot and stem else ""
        name = name[: max_length - len(ext) - 1].rstrip(" .") + ("." + ext if ext else "")
    return name or default
