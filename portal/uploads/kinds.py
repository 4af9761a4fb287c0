"""One entry per kind of upload the portal takes; `accept(file, kind=...)` runs the kind's checks."""

from __future__ import annotations

from collections.abc import Callable

from ._common import AcceptedFile, read_upload
from .images import accept_image
from .pdf import MAX_PDF_BYTES, accept_pdf
from .tables import accept_table


def accept_document(file, *, max_bytes: int = MAX_PDF_BYTES, field: str = "file") -> AcceptedFile:
    """A supporting document (a claim's receipts, a diagnosis): a PDF, or a JPEG/PNG photo of the paper."""
    head = read_upload(file, max_bytes=max_bytes, field=field)[:5]
    if head == b"%PDF-":
        return accept_pdf(file, max_bytes=max_bytes, field=field)
    return accept_image(file, max_bytes=max_bytes, formats=("JPEG", "PNG"), field=field)


KINDS: dict[str, Callable[..., AcceptedFile]] = {
    "image": accept_image,
    "pdf": accept_pdf,
    "document": accept_document,
    "table": accept_table,
}


def accept(file, *, kind: str, field: str = "file", **limits) -> AcceptedFile:
    """Run the checks of `kind` (a key of KINDS) on `file`; limits such as max_bytes pass through."""
    return KINDS[kind](file, field=field, **limits)
