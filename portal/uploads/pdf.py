"""PDF documents (claim papers and the like): structure sniffed, active content refused.

Not a full parser: it checks what a browser or reader would act on. The file must start with a PDF
header and end with `%%EOF`; no name that runs code or carries other files (`/JavaScript`, `/JS`,
`/Launch`, `/EmbeddedFile`, `/RichMedia`, `/XFA`, ...) may appear, either in the clear, hex-escaped
(`/J#61vaScript`) or inside compressed object streams; encrypted PDFs are refused because their
contents cannot be checked (and staff could not open them anyway).
"""

from __future__ import annotations

import re
import zlib

from django.utils.translation import gettext as _

from ._common import AcceptedFile, read_upload, refuse, safe_filename

MAX_PDF_BYTES = 10 * 1024 * 1024
# Compressed streams are inflated to look inside them; this caps the work a small file can demand.
MAX_INFLATED_BYTES = 64 * 1024 * 1024

FORBIDDEN_NAMES = frozenset({
    "JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA", "SubmitForm",
    "ImportData", "GoToE",
})
_HEADER = re.compile(rb"%PDF-[12]\.\d")
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")


class _TooDeep(Exception):
    pass


def _names(blob: bytes) -> set[str]:
    return {_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")
            for raw in _NAME.findall(blob)}


def _inflated_streams(data: bytes):
    """Every stream that inflates as zlib (FlateDecode), within MAX_INFLATED_BYTES in total."""
    budget = MAX_INFLATED_BYTES
    for match in _STREAM.finditer(data):
        end = data.find(b"endstream", match.end())
        if end < 0:
            break
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[match.end():end], budget + 1)
        except zlib.error:
            continue  # not Flate (an image's DCT data, say): nothing we need to read
        budget -= len(inflated)
        if budget < 0:
            raise _TooDeep
        yield inflated


def accept_pdf(file, *, max_bytes: int = MAX_PDF_BYTES, field: str = "file") -> AcceptedFile:
    """Refuse `file` with a field error on `field` unless it is a complete, unencrypted PDF without
    scripts, launch actions or embedded files."""
    name = safe_filename(getattr(file, "name", ""), default="document.pdf")
    data = read_upload(file, max_bytes=max_bytes, field=field)
    if not _HEADER.match(data):
        raise refuse(field, _("Upload a PDF document."), "not_a_pdf")
    if b"%%EOF" not in data[-2048:]:
        raise refuse(field, _("The PDF is incomplete or damaged; save it again and upload it."), "truncated")
    names = _names(data)
    try:
        for inflated in _inflated_streams(data):
            names |= _names(inflated)
    except _TooDeep:
        raise refuse(field, _("The PDF is too complex to check; print it to a new PDF and upload that."),
                     "too_complex") from None
    if "Encrypt" in names:
        raise refuse(field, _("The PDF is password-protected; upload it without a password."), "encrypted")
    if names & FORBIDDEN_NAMES:
        raise refuse(field, _("The PDF contains scripts, actions or attached files, which are not accepted; "
                              "print it to a new PDF and upload that."), "active_content")
    return AcceptedFile(kind="pdf", content=data, extension="pdf", content_type="application/pdf",
                        original_name=name)
