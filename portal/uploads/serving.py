"""Answering with user files: the right type, `nosniff`, and a Content-Disposition that cannot be abused.

In production the proxy serves `/media/public/` itself (docs/operations.md has the nginx block that
does what `media_view` does here); `media_view` is the development and test equivalent. Private files
are never under a public URL: a view checks permissions, then returns `private_file_response`.
"""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath
from urllib.parse import quote

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseBase

from ._common import safe_filename

# What may be shown in the browser (inline); every other stored file is a download.
INLINE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
DOWNLOAD_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Even if a browser were talked into rendering a user file as a document, it could run nothing.
UPLOAD_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def content_disposition(filename: str, *, attachment: bool) -> str:
    """`attachment; filename="..."; filename*=UTF-8''...` (RFC 6266 / RFC 5987): an ASCII fallback for old
    clients plus the exact UTF-8 name (Chinese names survive), both made safe."""
    name = safe_filename(filename)
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    ascii_stem = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_. ") else "_" for ch in stem)
    if not any(ch.isascii() and ch.isalnum() for ch in stem):
        ascii_stem = "download"
    fallback = ascii_stem + (f".{ext}" if ext.isascii() and ext.isalnum() else "")
    value = f'{"attachment" if attachment else "inline"}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def harden(response: HttpResponseBase, *, cache: str | None = None) -> HttpResponseBase:
    """Headers every response carrying user-supplied content gets."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = UPLOAD_CSP
    if cache:
        response["Cache-Control"] = cache
    return response


def clean_stored_name(path: str) -> str:
    """`path` if it is a plain storage name (relative, normalised, no `.`/`..` parts, NUL or backslash);
    else 404, so a crafted URL can never reach outside the media root."""
    parts = path.split("/")
    if (not path or "\x00" in path or "\\" in path or path.startswith("/") or posixpath.normpath(path) != path
            or "." in parts or ".." in parts):
        raise Http404
    return path


def _open(name: str):
    try:
        return default_storage.open(name, "rb")
    except (OSError, SuspiciousFileOperation):  # absent, a directory, or outside the storage root
        raise Http404 from None


def media_view(request, path: str) -> HttpResponseBase:
    """GET /media/<path> in development and tests. `private/` is never served here."""
    name = clean_stored_name(path)
    if PurePosixPath(name).parts[0] == "private":
        raise Http404
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    content_type = INLINE_TYPES.get(extension, "application/octet-stream")
    response = FileResponse(_open(name), content_type=content_type)
    response["Content-Disposition"] = content_disposition(PurePosixPath(name).name,
                                                          attachment=extension not in INLINE_TYPES)
    return harden(response, cache="public, max-age=86400")


def private_file_response(stored_name: str, *, download_name: str) -> FileResponse:
    """Stream a stored file as a download named `download_name`. Call it only after checking that the
    requester may see the file: this function checks nothing but the name's shape."""
    name = clean_stored_name(stored_name)
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    content_type = INLINE_TYPES.get(extension) or DOWNLOAD_TYPES.get(extension, "application/octet-stream")
    response = FileResponse(_open(name), content_type=content_type)
    download = safe_filename(download_name)
    if not download.lower().endswith(f".{extension}") and extension:
        download = f"{download}.{extension}"
    response["Content-Disposition"] = content_disposition(download, attachment=True)
    harden(response, cache="private, no-store")
    return response
