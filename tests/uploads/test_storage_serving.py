"""Stored names, files that follow their rows, and the headers user files are served with."""

import re
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404

from portal.uploads import Visibility, accept_image, delete_after_commit, private_file_response, store_upload
from tests.images import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _png(name="photo.html"):
    return accept_image(SimpleUploadedFile(name, png_bytes()))


def test_stored_under_a_random_name_with_the_decoded_extension_in_a_visibility_directory(media):
    with store_upload(_png(), directory="facilities", visibility=Visibility.PUBLIC) as first, \
            store_upload(_png(), directory="claims", visibility=Visibility.PRIVATE) as second:
        pass
    year = date.today().year
    assert re.fullmatch(rf"public/facilities/{year}/[A-Za-z0-9_-]{{24}}\.png", first.name)
    assert re.fullmatch(rf"private/claims/{year}/[A-Za-z0-9_-]{{24}}\.png", second.name)
    assert (media / first.name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.content_type == "image/png" and first.size == (media / first.name).stat().st_size


def test_a_row_that_fails_to_save_leaves_no_file(media):
    with pytest.raises(IntegrityError), \
            store_upload(_png(), directory="facilities", visibility=Visibility.PUBLIC) as stored, \
            transaction.atomic():
        assert (media / stored.name).exists()
        raise IntegrityError("the row did not make it")
    assert not (media / stored.name).exists()
    assert not list(media.rglob("*.png"))


def test_a_file_is_deleted_only_once_its_row_deletion_commits(media, django_capture_on_commit_callbacks):
    with store_upload(_png(), directory="facilities", visibility=Visibility.PUBLIC) as stored:
        pass
    with django_capture_on_commit_callbacks() as callbacks:
        delete_after_commit(stored.name)
    assert (media / stored.name).exists()
    for callback in callbacks:
        callback()
    assert not (media / stored.name).exists()


def test_public_images_are_served_as_images_with_nosniff(client):
    with store_upload(_png(), directory="facilities", visibility=Visibility.PUBLIC) as stored:
        pass
    response = client.get(default_storage.url(stored.name))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_anything_else_under_media_is_a_download_never_a_page(client, media):
    # A file stored before uploads were re-encoded, under its client's name.
    (media / "facilities").mkdir()
    (media / "facilities" / "x.html").write_bytes(b"\x89PNG\r\n\x1a\n<script>alert(1)</script>")
    response = client.get("/media/facilities/x.html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", [
    "/media/private/claims/2026/a.pdf", "/media/../settings.py", "/media/public/%2e%2e/%2e%2e/etc/passwd",
    "/media/public/..%2f..%2fetc%2fpasswd", "/media/%2fetc%2fpasswd", "/media/public/a%00.png",
    "/media/public\\..\\x.png", "/media/public//x.png", "/media/./public/x.png", "/media/public/missing.png",
])
def test_private_files_and_path_tricks_are_not_found(client, media, path):
    (media / "private" / "claims" / "2026").mkdir(parents=True)
    (media / "private" / "claims" / "2026" / "a.pdf").write_bytes(b"%PDF-1.7")
    (media / "public").mkdir()
    (media / "public" / "x.png").write_bytes(png_bytes())
    assert client.get(path).status_code == 404


def test_private_files_are_attachments_with_a_safe_download_name(media):
    with store_upload(_png(), directory="claims", visibility=Visibility.PRIVATE) as stored:
        pass
    response = private_file_response(stored.name, download_name='../住院"发票;.png')
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"download.png\"; filename*=UTF-8''%E4%BD%8F%E9%99%A2%E5%8F%91%E7%A5%A8.png")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    response.close()
    with pytest.raises(Http404):
        private_file_response("private/../../etc/passwd", download_name="x")
    with pytest.raises(Http404):
        private_file_response("private/claims/none.pdf", download_name="x")
