"""One session read alone agrees with the list (issue 8, "Rules that agree everywhere"): both go through
bookings.selectors, so remaining, bookable and mode are the same and the booking that follows does not 409."""

from django.db.models import F
from rest_framework.test import APIClient

from bookings.models import Session

from . import builders


def as_member(member) -> APIClient:
    client = APIClient()
    client.force_authenticate(member.user)
    return client


def test_detail_says_waitlist_when_the_list_does(facility, make_member):
    """A seat appears (capacity raised) while a member waits: it is the waiting member's, so a newcomer is
    offered the waitlist, in the list and in the detail alike, before the offer task has run."""
    activity = builders.activity(facility, waitlist_enabled=True)
    session = builders.session(activity, capacity=1)
    first, waiting, newcomer = make_member(), make_member(), make_member()
    assert as_member(first).post("/api/v1/bookings/", {"session": session.pk}, format="json").status_code == 201
    queued = as_member(waiting).post("/api/v1/bookings/", {"session": session.pk, "waitlist": True}, format="json")
    assert queued.json()["status"] == "waitlisted"
    Session.objects.filter(pk=session.pk).update(capacity=F("capacity") + 1)  # the offer is still to come

    client = as_member(newcomer)
    listed = next(s for s in client.get("/api/v1/sessions/").json()["results"] if s["id"] == session.pk)
    detail = client.get(f"/api/v1/sessions/{session.pk}/").json()
    assert listed["mode"] == detail["mode"] == "waitlist"
    assert {k: listed[k] for k in ("remaining", "bookable", "reason")} == \
        {k: detail[k] for k in ("remaining", "bookable", "reason")}
    booked = client.post("/api/v1/bookings/", {"session": session.pk, "waitlist": detail["mode"] == "waitlist"},
                         format="json")
    assert booked.status_code == 201 and booked.json()["status"] == "waitlisted"


def test_detail_of_a_past_session_still_answers(facility, member_api):
    """The list shows upcoming sessions; one session is found by id whatever its date (a booking links to it)."""
    from datetime import timedelta

    session = builders.session(builders.activity(facility), starts_in=-timedelta(days=3))
    assert session.pk not in [s["id"] for s in member_api.get("/api/v1/sessions/").json()["results"]]
    assert member_api.get(f"/api/v1/sessions/{session.pk}/").json()["bookable"] is False
