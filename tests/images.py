"""Real image files for upload tests, made with Pillow (and one hand-built decompression-bomb header)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (16, 12), mode: str = "RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else 128).save(out, format=fmt, **save)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (16, 12)) -> bytes:
    return image_bytes("PNG", size)


def jpeg_with_exif(size: tuple[int, int] = (40, 20)) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90°" (orientation 6) and carries a camera and GPS tag."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {2: (30.0, 15.0, 0.0)}  # GPSInfo: latitude
    return image_bytes("JPEG", size, exif=exif.tobytes(), comment=b"secret comment")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few hundred bytes that claim to be a width x height PNG: decoding it would need gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * (width * 3)
    pixels = zlib.compress(row * 4, 9)  # a little data; the claim in the header is what matters
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


PNG_SIGNATURE_HTML = b"\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
