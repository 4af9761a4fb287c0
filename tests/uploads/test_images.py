"""portal.uploads.accept_image: what is stored is pixels Pillow decoded, re-encoded, and nothing else."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.uploads import accept, accept_image
from tests.images import PNG_SIGNATURE_HTML, SVG, image_bytes, jpeg_with_exif, png_bomb, png_bytes


def _upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)


def _refusal(upload, **kwargs) -> tuple[str, str]:
    with pytest.raises(ValidationError) as exc:
        accept_image(upload, **kwargs)
    (field, errors), = exc.value.error_dict.items()
    return field, errors[0].code


def test_html_behind_a_png_signature_is_refused_whatever_its_name():
    for name in ("x.html", "x.png", "x"):
        assert _refusal(_upload(name, PNG_SIGNATURE_HTML, "text/html")) == ("image", "not_an_image")


def test_a_real_png_named_html_is_stored_as_png():
    image = accept_image(_upload("x.html", png_bytes((16, 12)), "text/html"))
    assert (image.extension, image.content_type, image.format) == ("png", "image/png", "PNG")
    assert (image.width, image.height) == (16, 12)
    assert Image.open(io.BytesIO(image.content)).format == "PNG"
    assert image.original_name == "x.html"  # kept only for display; never decides the stored name


@pytest.mark.parametrize("name", ["logo.svg", "logo.png", "logo"])
def test_svg_is_refused_with_its_own_message(name):
    with pytest.raises(ValidationError) as exc:
        accept_image(_upload(name, SVG, "image/svg+xml"))
    assert exc.value.error_dict["image"][0].code == "svg"
    assert "SVG" in exc.value.messages[0]


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = png_bomb(100_000, 100_000)  # 10 gigapixels in a few hundred bytes
    assert len(bomb) < 10_000
    assert _refusal(_upload("bomb.png", bomb)) == ("image", "too_many_pixels")
    # Below Pillow's own limit, the portal's cap still applies.
    assert _refusal(_upload("big.png", png_bytes((200, 100))), max_pixels=10_000) == ("image", "too_many_pixels")


def test_truncated_and_corrupt_images_are_refused():
    noise = Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3))
    for fmt in ("PNG", "JPEG"):
        out = io.BytesIO()
        noise.save(out, format=fmt)
        data = out.getvalue()
        assert _refusal(_upload("cut." + fmt.lower(), data[: len(data) * 2 // 3])) == ("image", "not_an_image")
    png = png_bytes((32, 32))
    corrupt = png[:40] + bytes(b ^ 0xFF for b in png[40:60]) + png[60:]  # a chunk no longer matches its CRC
    assert _refusal(_upload("bad.png", corrupt)) == ("image", "not_an_image")


def test_exif_and_comments_are_stripped_after_orientation_is_applied():
    original = jpeg_with_exif((40, 20))
    assert b"SpyCam" in original and Image.open(io.BytesIO(original)).getexif()
    image = accept_image(_upload("holiday.jpg", original, "image/jpeg"))
    assert (image.width, image.height) == (20, 40)  # rotated upright, as the camera meant
    stored = Image.open(io.BytesIO(image.content))
    assert not stored.getexif() and "comment" not in stored.info and "exif" not in stored.info
    assert b"SpyCam" not in image.content and b"secret comment" not in image.content


def test_formats_outside_the_list_and_oversized_files_are_refused():
    assert _refusal(_upload("a.gif", image_bytes("GIF"))) == ("image", "not_an_image")
    assert _refusal(_upload("a.bmp", image_bytes("BMP"))) == ("image", "not_an_image")
    webp = accept_image(_upload("a.webp", image_bytes("WEBP"), "image/webp"))
    assert webp.extension == "webp"
    assert _refusal(_upload("a.png", png_bytes()), max_bytes=50) == ("image", "too_large")
    assert _refusal(_upload("a.png", b"")) == ("image", "empty")


def test_the_error_names_the_field_the_caller_gives():
    with pytest.raises(ValidationError) as exc:
        accept(_upload("x.html", PNG_SIGNATURE_HTML), kind="image", field="photo")
    assert list(exc.value.message_dict) == ["photo"]
