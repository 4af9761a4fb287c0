"""Images: decoded and re-encoded with Pillow, so what is stored is pixels and nothing else.

A file whose first bytes merely look like a PNG (an HTML page behind a PNG signature, a polyglot) does not
survive decoding; a real image comes back without EXIF, XMP, comments or colour profiles (the EXIF
orientation is applied first, so portraits stay upright), in the format it was decoded as, with that
format's extension. SVG is refused outright: it is a document that can carry script, not a photo.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from ._common import AcceptedFile, read_upload, refuse, safe_filename

logger = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# 40 megapixels: more than any phone camera, far below what exhausts a worker's memory when decoded
# (a 4-byte-per-pixel RGBA image of this size is 160 MB).
MAX_IMAGE_PIXELS = 40_000_000

# Pillow format -> (extension, content type). Only these decoders are ever run on uploads.
IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


_DISPLAY_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}


class _TooManyPixels(Exception):
    pass


@dataclass(frozen=True)
class UploadedImage(AcceptedFile):
    width: int
    height: int
    format: str  # Pillow's name: "JPEG", "PNG", "WEBP"


def _looks_like_svg(data: bytes, name: str) -> bool:
    head = data[:1024].lstrip().lower()
    return name.lower().endswith((".svg", ".svgz")) or head.startswith(b"<svg") or (
        head.startswith(b"<?xml") and b"<svg" in head)


def _encode(image: Image.Image, fmt: str) -> bytes:
    # Keep only what the pixels need: palette transparency. Everything else in `info` (exif, icc_profile,
    # xmp, text chunks, comments) would otherwise be copied by some encoders.
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    if fmt == "JPEG" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    elif fmt == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
    out = io.BytesIO()
    # No PNG "optimize": on a large image it costs seconds of CPU per upload for a few percent of size.
    options = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {}, "WEBP": {"quality": 85}}[fmt]
    image.save(out, format=fmt, **options)
    return out.getvalue()


def accept_image(file, *, max_bytes: int = MAX_IMAGE_BYTES, max_pixels: int = MAX_IMAGE_PIXELS,
                 formats: tuple[str, ...] = tuple(IMAGE_FORMATS), field: str = "image") -> UploadedImage:
    """Decode `file` with Pillow (only `formats`), refuse it with a field error on `field` if it is not
    such an image, is over `max_bytes` or `max_pixels`, or is truncated; else return it re-encoded."""
    name = safe_filename(getattr(file, "name", ""), default="image")
    data = read_upload(file, max_bytes=max_bytes, field=field)
    allowed = ", ".join(_DISPLAY_NAMES[f] for f in formats)
    not_an_image = refuse(field, _("Upload a photo in one of these formats: %(formats)s.") % {"formats": allowed},
                          "not_an_image")
    if _looks_like_svg(data, name):
        raise refuse(field, _("SVG drawings are not accepted: upload a photo (%(formats)s).") % {"formats": allowed},
                     "svg")
    too_many_pixels = refuse(
        field, _("The image is too large: at most %(megapixels)s million pixels.") % {
            "megapixels": f"{max_pixels / 1_000_000:g}"}, "too_many_pixels")
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice its limit, raises) on decompression bombs while reading the header.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(formats)) as image:
                fmt = image.format
                width, height = image.size
                if width * height > max_pixels:
                    raise _TooManyPixels
                image.load()  # decode every pixel: a truncated or corrupt file fails here
                upright = ImageOps.exif_transpose(image)
                content = _encode(upright, fmt)
                width, height = upright.size
    except (_TooManyPixels, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except Exception as exc:  # noqa: BLE001 - Pillow decoders raise many types (OSError, SyntaxError, ...)
        logger.info("image upload refused: %s: %s", type(exc).__name__, exc)
        raise not_an_image from None
    extension, content_type = IMAGE_FORMATS[fmt]
    return UploadedImage(kind="image", content=content, extension=extension, content_type=content_type,
                         original_name=name, width=width, height=height, format=fmt)
