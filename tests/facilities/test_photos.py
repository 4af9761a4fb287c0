"""Issue 7 hole 4: a facility photo is an image Pillow re-encoded, stored under a random name, served safely."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from facilities import services
from facilities.models import FacilityPhoto
from portal.members.models import Role
from tests import factories
from tests.frontend.conftest import client_for
from tests.images import PNG_SIGNATURE_HTML, SVG, jpeg_with_exif, png_bomb, png_bytes


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _url(palace):
    return f"/api/v1/staff/facilities/{palace.pk}/photos/"


def test_html_behind_a_png_signature_is_refused_and_nothing_is_written(manager_api, palaces, media):
    response = manager_api.post(_url(palaces["city"]), {
        "image": SimpleUploadedFile("x.html", PNG_SIGNATURE_HTML, "text/html")}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["image"]
    assert not FacilityPhoto.objects.exists() and _files(media) == []


@pytest.mark.parametrize(("name", "data", "code"), [
    ("logo.svg", SVG, "svg"),
    ("bomb.png", png_bomb(), "too_many_pixels"),
    ("cut.png", png_bytes((64, 64))[:-30], "not_an_image"),
])
def test_svg_bombs_and_broken_images_are_refused(manager_api, palaces, media, name, data, code):
    response = manager_api.post(_url(palaces["city"]), {"image": SimpleUploadedFile(name, data)},
                                format="multipart")
    assert response.status_code == 400 and "image" in response.json()["errors"]
    assert not FacilityPhoto.objects.exists() and _files(media) == []


def test_a_real_image_named_html_is_stored_as_png_and_served_as_an_image(manager_api, palaces, media, client):
    response = manager_api.post(_url(palaces["city"]), {
        "image": SimpleUploadedFile("x.html", png_bytes(), "text/html"), "caption": "大厅"}, format="multipart")
    assert response.status_code == 201
    photo = FacilityPhoto.objects.get()
    assert photo.image.name.startswith("public/facilities/") and photo.image.name.endswith(".png")
    assert photo.image.name.rsplit("/", 1)[-1] not in ("x.png", "x.html.png")  # a random name, not the client's
    assert _files(media) == [photo.image.name]
    served = client.get(response.json()["image"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("inline;")


def test_exif_is_stripped_from_stored_photos(manager_api, palaces, media):
    response = manager_api.post(_url(palaces["city"]), {
        "image": SimpleUploadedFile("holiday.jpg", jpeg_with_exif(), "image/jpeg")}, format="multipart")
    assert response.status_code == 201
    stored = (media / FacilityPhoto.objects.get().image.name).read_bytes()
    assert stored[:3] == b"\xff\xd8\xff" and b"SpyCam" not in stored and b"Exif" not in stored


def test_a_bad_caption_and_a_bad_image_are_reported_together_and_write_nothing(palaces, orgs, media):
    manager = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)
    with pytest.raises(ValidationError) as exc:
        services.facility_photo_add(actor=manager, facility=palaces["city"],
                                    image=SimpleUploadedFile("a.svg", SVG), caption="长" * 201)
    assert set(exc.value.message_dict) == {"image", "caption"}
    assert _files(media) == []


def test_deleting_a_photo_or_its_facility_removes_the_file_after_commit(manager_api, palaces, media,
                                                                         django_capture_on_commit_callbacks):
    for _ in range(2):
        assert manager_api.post(_url(palaces["city"]), {"image": SimpleUploadedFile("a.png", png_bytes())},
                                format="multipart").status_code == 201
    first, second = FacilityPhoto.objects.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        assert manager_api.delete(f"{_url(palaces['city'])}{first.pk}/").status_code == 204
    assert _files(media) == [second.image.name]
    with django_capture_on_commit_callbacks(execute=True):
        palaces["city"].delete()  # the admin's cascade goes the same way
    assert _files(media) == [] and not default_storage.exists(second.image.name)


def test_the_console_form_refuses_an_svg_with_a_form_error(palaces, orgs, media):
    manager = client_for(factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER))
    url = reverse("frontend:console:facility_detail", args=[palaces["city"].pk])
    response = manager.post(url, {"action": "photo", "photo-image": SimpleUploadedFile("x.svg", SVG, "image/svg+xml")})
    assert response.status_code == 400
    assert "SVG" in response.content.decode()
    assert not FacilityPhoto.objects.exists() and _files(media) == []
    ok = manager.post(url, {"action": "photo", "photo-image": SimpleUploadedFile("x.html", png_bytes())})
    assert ok.status_code == 302
    assert FacilityPhoto.objects.get().image.name.endswith(".png")


def test_photos_stored_before_the_helper_are_reencoded_or_deleted(palaces, media,
                                                                   django_capture_on_commit_callbacks):
    from django.core.management import call_command

    (media / "facilities" / "2025").mkdir(parents=True)
    (media / "facilities" / "2025" / "hall.png").write_bytes(jpeg_with_exif())
    (media / "facilities" / "2025" / "x.html").write_bytes(PNG_SIGNATURE_HTML)
    good = FacilityPhoto.objects.create(facility=palaces["city"], image="facilities/2025/hall.png", caption="大厅")
    FacilityPhoto.objects.create(facility=palaces["city"], image="facilities/2025/x.html")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("facility_photos_reencode", stdout=io.StringIO())
    good.refresh_from_db()
    assert list(FacilityPhoto.objects.all()) == [good] and good.caption == "大厅"
    assert good.image.name.startswith("public/facilities/") and good.image.name.endswith(".jpg")
    assert _files(media) == [good.image.name]
    assert b"SpyCam" not in (media / good.image.name).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("facility_photos_reencode", stdout=io.StringIO())  # a second run changes nothing
    assert FacilityPhoto.objects.get().image.name == good.image.name
