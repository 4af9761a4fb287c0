"""Image upload checks without Pillow: the file must start like a JPEG, PNG or WebP and be small enough."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_IMAGE_BYTES = 5 * 1024 * 1024

_SIGNATURES = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)


def image_type(head: bytes) -> str | None:
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def validate_image_upload(upload) -> None:
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("The image is larger than 5 MB."), code="too_large")
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    if image_type(head) is None:
        raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="not_an_image")
