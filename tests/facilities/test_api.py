"""The facility registry (public) and the staff venue, photo and asset-register endpoints."""

from django.core.files.uploadedfile import SimpleUploadedFile

from facilities.models import AssetRecord, FacilityKind, Venue
from facilities.selectors import region_prefix
from tests.bookings import builders
from tests.images import png_bytes

PNG = png_bytes()


def names(response):
    return sorted(f["name"] for f in response.json()["results"])


def test_region_prefix():
    assert (region_prefix("330000"), region_prefix("330100"), region_prefix("330122")) == ("33", "3301", "330122")


def test_public_list_filters(api, palaces, orgs):
    assert len(api.get("/api/v1/facilities/").json()["results"]) == 3
    assert names(api.get("/api/v1/facilities/", {"region": "330100"})) == ["甲县工人文化宫", "甲市工人文化宫"]
    assert names(api.get("/api/v1/facilities/", {"region": "330200"})) == ["乙市工人文化宫"]
    assert names(api.get("/api/v1/facilities/", {"org": orgs["county"].pk})) == ["甲县工人文化宫"]
    assert len(names(api.get("/api/v1/facilities/", {"org": orgs["province"].pk}))) == 3
    assert api.get("/api/v1/facilities/", {"kind": FacilityKind.SANATORIUM}).json()["results"] == []
    assert api.get("/api/v1/facilities/", {"kind": "castle"}).status_code == 400
    assert api.get("/api/v1/facilities/", {"region": "abc"}).status_code == 400
    unknown = api.get("/api/v1/facilities/", {"org": "999999"})  # a filter naming nothing is a bad value
    assert unknown.status_code == 400 and "org" in unknown.json()["errors"]


def test_public_detail_with_venues(api, palaces):
    builders.venue(palaces["city"], name="大剧场", kind="theatre", capacity=800)
    body = api.get(f"/api/v1/facilities/{palaces['city'].pk}/").json()
    assert body["name"] == "甲市工人文化宫" and body["venues"][0]["capacity"] == 800
    assert api.get("/api/v1/facilities/999999/").status_code == 404


def test_staff_venue_crud_is_scoped(manager_api, palaces):
    created = manager_api.post("/api/v1/staff/venues/", {"facility": palaces["county"].pk, "name": "羽毛球馆",
                                                         "kind": "court", "capacity": 24}, format="json")
    assert created.status_code == 201
    duplicate = manager_api.post("/api/v1/staff/venues/", {"facility": palaces["county"].pk, "name": "羽毛球馆",
                                                           "kind": "court", "capacity": 24}, format="json")
    assert duplicate.status_code == 400 and "name" in duplicate.json()["errors"]
    outside = manager_api.post("/api/v1/staff/venues/", {"facility": palaces["sibling"].pk, "name": "x",
                                                         "kind": "gym", "capacity": 5}, format="json")
    assert outside.status_code == 404
    zero = manager_api.post("/api/v1/staff/venues/", {"facility": palaces["city"].pk, "name": "y", "kind": "gym",
                                                      "capacity": 0}, format="json")
    assert zero.status_code == 400
    venue_id = created.json()["id"]
    assert manager_api.patch(f"/api/v1/staff/venues/{venue_id}/", {"capacity": 30},
                             format="json").json()["capacity"] == 30
    other = builders.venue(palaces["sibling"])
    assert manager_api.patch(f"/api/v1/staff/venues/{other.pk}/", {"capacity": 1}, format="json").status_code == 404
    listed = manager_api.get("/api/v1/staff/venues/", {"facility": palaces["sibling"].pk})
    assert listed.status_code == 403
    assert manager_api.delete(f"/api/v1/staff/venues/{venue_id}/").status_code == 204
    assert not Venue.objects.filter(pk=venue_id).exists()


def test_asset_register(manager_api, stats_api, palaces):
    body = {"facility": palaces["city"].pk, "year": 2025, "book_value_fen": 1_250_000_000_00,
            "land_area_m2": "15000.50", "floor_area_m2": "32000", "year_built": 1958, "title_status": "held",
            "operating_mode": "self_run"}
    assert manager_api.post("/api/v1/staff/asset-records/", body, format="json").status_code == 201
    again = manager_api.post("/api/v1/staff/asset-records/", body, format="json")
    assert again.status_code == 400 and "year" in again.json()["errors"]
    negative = manager_api.post("/api/v1/staff/asset-records/", {**body, "year": 2024, "book_value_fen": -1},
                                format="json")
    assert negative.status_code == 400 and "book_value_fen" in negative.json()["errors"]
    # the provincial statistician sees (and may edit) every record below the province
    listed = stats_api.get("/api/v1/staff/asset-records/", {"year": 2025}).json()
    assert listed["count"] == 1
    record_id = listed["results"][0]["id"]
    assert stats_api.patch(f"/api/v1/staff/asset-records/{record_id}/", {"operating_mode": "outsourced"},
                           format="json").json()["operating_mode"] == "outsourced"
    outside = manager_api.post("/api/v1/staff/asset-records/", {**body, "facility": palaces["sibling"].pk},
                               format="json")
    assert outside.status_code == 404
    assert AssetRecord.objects.count() == 1


def test_photo_upload_is_validated(manager_api, palaces, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = f"/api/v1/staff/facilities/{palaces['city'].pk}/photos/"
    ok = manager_api.post(url, {"image": SimpleUploadedFile("hall.png", PNG, "image/png"), "caption": "大厅"},
                          format="multipart")
    assert ok.status_code == 201
    fake = manager_api.post(url, {"image": SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", "image/png")},
                            format="multipart")
    assert fake.status_code == 400 and "image" in fake.json()["errors"]
    outside = manager_api.post(f"/api/v1/staff/facilities/{palaces['sibling'].pk}/photos/",
                               {"image": SimpleUploadedFile("a.png", PNG, "image/png")}, format="multipart")
    assert outside.status_code == 404
    assert len(manager_api.get(f"/api/v1/facilities/{palaces['city'].pk}/").json()["photos"]) == 1
    photo_id = ok.json()["id"]
    assert manager_api.delete(f"{url}{photo_id}/").status_code == 204
