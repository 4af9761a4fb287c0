"""Facility services and selectors against the real database."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from facilities import selectors, services
from facilities.models import Venue
from portal.errors import Conflict, NotFound
from tests.bookings import builders


def test_oversized_image_is_refused(palaces, orgs):
    from portal.members.models import Role
    from tests import factories

    manager = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 1), "image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.facility_photo_add(actor=manager, facility=palaces["city"], image=big)
    assert "image" in exc.value.message_dict
    assert not palaces["city"].photos.exists()


def test_venue_in_use_cannot_be_deleted(palaces, orgs):
    from portal.members.models import Role
    from tests import factories

    manager = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)
    venue = builders.venue(palaces["city"])
    builders.session(builders.activity(palaces["city"], venue=venue))
    with pytest.raises(Conflict):
        services.venue_delete(actor=manager, venue=venue)
    assert Venue.objects.filter(pk=venue.pk).exists()
    with pytest.raises(NotFound):
        services.venue_update(actor=manager, venue=builders.venue(palaces["sibling"]), data={"capacity": 1})


@pytest.mark.parametrize("extra", [0, 12])
def test_facility_list_is_a_constant_number_of_queries(orgs, palaces, extra, django_assert_num_queries):
    for i in range(extra):
        facility = builders.palace(orgs["city"], name=f"文化宫{i}")
        builders.venue(facility, name="教室")
    with django_assert_num_queries(3):  # facilities + venues + photos
        rows = list(selectors.facility_list(region="330000"))
        for row in rows:
            list(row.venues.all()) and list(row.photos.all())
    assert len(rows) == 3 + extra
