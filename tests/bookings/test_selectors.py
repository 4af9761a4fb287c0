"""The session list: the caller's verdict per session, in a constant number of queries."""

from datetime import timedelta

import pytest

from bookings import selectors, services
from bookings.models import Booking, BookingStatus

from . import builders


def test_verdicts_for_the_caller(facility, free_activity, member, make_member):
    open_session = builders.session(free_activity, capacity=1)
    later = builders.session(free_activity, starts_in=timedelta(days=30))
    booked = builders.session(free_activity)
    services.booking_create(member=member, session_id=booked.pk)
    full = builders.session(builders.activity(facility, waitlist_enabled=False), capacity=1)
    services.booking_create(member=make_member(), session_id=full.pk)
    sessions = list(selectors.session_list(facility=facility))
    verdicts = selectors.session_availability(member=member, sessions=sessions + [later])
    assert verdicts[open_session.pk].bookable and verdicts[open_session.pk].reason == ""
    assert verdicts[later.pk].reason == "not_open" and not verdicts[later.pk].bookable
    assert verdicts[booked.pk].reason == "already_booked"
    assert verdicts[full.pk].reason == "full" and not verdicts[full.pk].bookable
    anonymous = selectors.session_availability(member=None, sessions=[open_session])
    assert anonymous[open_session.pk].reason == "login_required"
    unverified = selectors.session_availability(member=make_member(verified=False), sessions=[open_session])
    assert unverified[open_session.pk].reason == "not_verified"


@pytest.mark.parametrize("page_size", [5, 40])
def test_session_list_api_is_a_constant_number_of_queries(facility, member, member_api, page_size,
                                                          django_assert_max_num_queries):
    for i in range(page_size):
        act = builders.activity(facility, title=f"课程{i}", max_active_per_week=2,
                                venue=builders.venue(facility, name=f"教室{i}"))
        s = builders.session(act, starts_in=timedelta(days=2, hours=i))
        if i % 2:
            Booking.objects.create(session=s, member=member, seats=1, status=BookingStatus.CONFIRMED,
                                   ticket_code=f"t{i}")
    with django_assert_max_num_queries(8):
        response = member_api.get(f"/api/v1/sessions/?page_size={page_size}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size
