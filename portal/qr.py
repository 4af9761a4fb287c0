"""The one way the portal draws a QR code (tickets on the page and in the API).

A regular QR symbol, never Micro QR (segno picks Micro QR for short data, and phone scanners do not read it),
with the quiet zone of 4 modules that ISO/IEC 18004 requires: with less, scanners miss codes shown on a
phone against a dark or busy background.
"""

from __future__ import annotations

import io

import segno

QUIET_ZONE = 4  # modules of light margin on each side


def qr_svg(data: str, *, scale: int = 8, standalone: bool = False) -> str:
    """SVG of `data`: inline for HTML (size left to CSS), or a standalone image/svg+xml document."""
    buffer = io.BytesIO()
    segno.make_qr(data, error="m").save(
        buffer, kind="svg", scale=scale, border=QUIET_ZONE, dark="#000", light="#fff", title=data,
        xmldecl=False, svgns=standalone, omitsize=not standalone)
    return buffer.getvalue().decode()
