"""No input gives a 500 (issue 8): ids that are not numbers, impossible dates, NUL bytes, absurd nesting.

Every case is one a fuzzer or a reviewer sent; each answer must be a clear 4xx naming the field (API) or a
page that says what it ignored (HTML). The class behind them is covered by the meta-tests at the end: every
router route takes digits only, and every date an API body accepts goes through the bounded fields.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework import serializers
from rest_framework.test import APIClient

from bookings.services import booking_create
from portal.members.models import Role
from portal.members.services import role_grant
from tests import factories
from tests.bookings import builders
from tests.conftest import staff_client
from tests.frontend.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(orgs):
    palace = builders.palace(orgs["city"])
    venue = builders.venue(palace)
    activity = builders.activity(palace, venue=venue)
    session = builders.session(activity, capacity=5, starts_in=timedelta(days=2))
    member = factories.member(organisation=orgs["unit"])
    booking = booking_create(member=member, session_id=session.pk, seats=1, waitlist=False)
    staff = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)
    role_grant(user=staff, organisation=orgs["city"], role=Role.UNION_OFFICER)
    return {"palace": palace, "venue": venue, "activity": activity, "session": session, "member": member,
            "booking": booking, "staff": staff}


def api_as(user) -> APIClient:
    return staff_client(user)  # the shared helper: signs staff in the way the staff API requires


def html_as(user) -> Client:
    return client_for(user)


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"type", "title", "detail", "errors"}
    return body


# --- Path ids that are not numbers: 404 from the URL resolver, for every route ---------------------------------

MEMBER_PATHS = [
    ("delete", "/api/v1/me/dependants/AAA/"),
    ("post", "/api/v1/notifications/AAA/read/"),
    ("get", "/api/v1/notifications/AAA/"),
    ("get", "/api/v1/bookings/AAA/"),
    ("post", "/api/v1/bookings/AAA/cancel/"),
    ("post", "/api/v1/bookings/AAA/accept/"),
    ("post", "/api/v1/bookings/AAA/decline/"),
    ("get", "/api/v1/bookings/AAA/ticket/"),
    ("get", "/api/v1/sessions/AAA/"),
    ("get", "/api/v1/facilities/AAA/"),
    ("get", "/api/v1/bookings/-1/"),
    ("get", "/api/v1/bookings/1.5/"),
    ("get", "/api/v1/bookings/99999999999999999999999999/"),
    ("get", "/api/v1/sessions/99999999999999999999999999/"),
]
STAFF_PATHS = [
    ("get", "/api/v1/staff/members/AAA/"),
    ("post", "/api/v1/staff/members/AAA/verify/"),
    ("post", "/api/v1/staff/members/AAA/reject/"),
    ("get", "/api/v1/staff/sessions/AAA/"),
    ("get", "/api/v1/staff/sessions/AAA/bookings/"),
    ("post", "/api/v1/staff/sessions/AAA/cancel/"),
    ("post", "/api/v1/staff/sessions/AAA/capacity/"),
    ("post", "/api/v1/staff/sessions/AAA/move/"),
    ("get", "/api/v1/staff/activities/AAA/"),
    ("patch", "/api/v1/staff/activities/AAA/"),
    ("post", "/api/v1/staff/activities/AAA/generate/"),
    ("get", "/api/v1/staff/venues/AAA/"),
    ("delete", "/api/v1/staff/venues/AAA/"),
    ("get", "/api/v1/staff/asset-records/AAA/"),
    ("post", "/api/v1/staff/facilities/AAA/photos/"),
    ("delete", "/api/v1/staff/facilities/1/photos/AAA/"),
    ("get", "/api/v1/staff/members/99999999999999999999999999/"),
    ("post", "/api/v1/staff/sessions/99999999999999999999999999/capacity/"),
]


@pytest.mark.parametrize(("method", "path"), MEMBER_PATHS)
def test_member_routes_answer_404_to_ids_that_are_not_numbers(world, method, path):
    problem(getattr(api_as(world["member"].user), method)(path, {}, format="json"), 404)


@pytest.mark.parametrize(("method", "path"), STAFF_PATHS)
def test_staff_routes_answer_404_to_ids_that_are_not_numbers(world, method, path):
    problem(getattr(api_as(world["staff"]), method)(path, {"capacity": 3, "reason": "x"}, format="json"), 404)


def _patterns(resolver, prefix=""):
    """Every URL pattern of the project as (route text, pattern), includes flattened."""
    from django.urls import URLResolver

    for entry in resolver.url_patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, text)
        else:
            yield text, entry


def test_no_route_takes_an_id_the_database_cannot_hold():
    """The class: a path id is digits that fit a bigint (`<id:...>`, the router's regex), so a 20-digit id is a 404
    from the URL resolver on every route, never an OverflowError in the database driver (it was a 500 on
    /api/v1/facilities/{id}/availability/)."""
    from django.urls import Resolver404, get_resolver, resolve
    from django.urls.converters import IntConverter

    unbounded = [text for text, pattern in _patterns(get_resolver())
                 if any(type(c) is IntConverter for c in getattr(pattern.pattern, "converters", {}).values())
                 or "[0-9]+" in text]
    assert unbounded == [], "use <id:...> (portal/converters.py) or ID_REGEX for these routes"
    huge = "99999999999999999999"
    for path in (f"/api/v1/facilities/{huge}/availability/", f"/api/v1/stays/{huge}/cancel/",
                 f"/api/v1/claims/1/documents/{huge}/", f"/sanatoriums/{huge}/", f"/console/stays/{huge}/check-in/",
                 f"/api/v1/payments/{huge}/receipt/", f"/console/mutual-aid/claims/1/documents/{huge}/"):
        with pytest.raises(Resolver404):
            resolve(path)
    assert resolve(f"/api/v1/facilities/{huge[:18]}/availability/").kwargs == {"pk": huge[:18]}


def test_every_router_route_takes_digits_only(world):
    """The class: a viewset registered later gets the same rule from the router, with no code of its own."""
    from portal.urls import router

    client = api_as(world["staff"])
    for prefix, _viewset, _basename in router.registry:
        problem(client.get(f"/api/v1/{prefix}/AAA/"), 404)


# --- Impossible or absurd dates: a 400 naming the field ----------------------------------------------------------

@pytest.mark.parametrize(("query", "field"), [
    ({"end": "2026-13-45"}, "end"),
    ({"start": "2026-01-01T00:00:00+99:00"}, "start"),
    ({"start": "9999-12-31"}, "start"),
    ({"start": "0001-01-01"}, "start"),
    ({"end": "9999-12-31T23:59:59"}, "end"),
    ({"start": "not-a-date"}, "start"),
    ({"start": "2026-03-01", "end": "2026-02-01"}, "end"),
])
def test_session_list_refuses_impossible_dates(world, api, query, field):
    assert field in problem(api.get("/api/v1/sessions/", query), 400)["errors"]


def test_session_list_still_takes_dates_and_date_times(world, api):
    day = (world["session"].start + timedelta(hours=8)).date()
    ids = [s["id"] for s in api.get("/api/v1/sessions/", {"start": day.isoformat()}).json()["results"]]
    assert world["session"].pk in ids
    later = api.get("/api/v1/sessions/", {"start": "2100-12-31T00:00:00+08:00"})
    assert later.status_code == 200 and later.json()["results"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({"first_start": "9999-12-31T23:00:00"}, "first_start"),
    ({"first_start": "0001-01-01T00:00:00"}, "first_start"),
    ({"first_start": "2026-01-01T00:00:00+99:00"}, "first_start"),
    ({"exdates": ["2026-13-45"]}, "exdates"),
    ({"exdates": ["9999-01-01"]}, "exdates"),
    ({"duration_minutes": 10 ** 12}, "duration_minutes"),
    ({"capacity": 10 ** 12}, "capacity"),
    ({"first_start": "2100-12-31T23:00:00", "rrule": "FREQ=YEARLY;INTERVAL=7899;COUNT=2"}, "rrule"),
    ({"rrule": "FREQ=YEARLY;UNTIL=99991231T000000"}, "rrule"),
])
def test_generating_sessions_refuses_impossible_values(world, body, field):
    data = {"rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=2", "first_start": "2099-01-06T19:00:00", "duration_minutes": 90,
            **body}
    url = f"/api/v1/staff/activities/{world['activity'].pk}/generate/"
    errors = problem(api_as(world["staff"]).post(url, data, format="json"), 400)["errors"]
    assert any(name.startswith(field) for name in errors)
    assert world["activity"].sessions.count() == 1  # nothing changed


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/v1/staff/sessions/{session}/move/", {"start": "9999-12-31T20:00:00", "end": "9999-12-31T21:00:00"},
     "start"),
    ("/api/v1/staff/sessions/{session}/move/", {"start": "2030-01-01T20:00:00", "end": "0001-01-01T00:00:00"},
     "end"),
    ("/api/v1/staff/sessions/{session}/capacity/", {"capacity": 10 ** 15}, "capacity"),
    ("/api/v1/staff/walk-ins/", {"facility": "{palace}", "persons": 3, "date": "0001-01-01"}, "date"),
])
def test_staff_bodies_refuse_impossible_values(world, url, body, field):
    ids = {"session": world["session"].pk, "palace": world["palace"].pk}
    body = {k: (int(v.format(**ids)) if isinstance(v, str) and v.startswith("{") else v) for k, v in body.items()}
    response = api_as(world["staff"]).post(url.format(**ids), body, format="json")
    assert field in problem(response, 400)["errors"]


@pytest.mark.parametrize("field", ["opens_hours_before", "closes_hours_before", "cancel_hours_before"])
def test_booking_windows_beyond_a_year_are_refused(world, api, field):
    """Accepted, 2,000,000,000 hours before a session would be before year 1: every page listing the session
    (the public session list included) would answer 500."""
    url = f"/api/v1/staff/activities/{world['activity'].pk}/"
    response = api_as(world["staff"]).patch(url, {field: 2_000_000_000}, format="json")
    assert field in problem(response, 400)["errors"]
    form = html_as(world["staff"]).post(reverse("frontend:console:activity_detail", args=[world["activity"].pk]),
                                        {field: "2000000000"})
    assert form.status_code == 400 and field in form.context["form"].errors
    assert api.get("/api/v1/sessions/").status_code == 200


def test_dependant_born_in_year_one_is_refused(world):
    response = api_as(world["member"].user).post("/api/v1/me/dependants/", {
        "name": "小明", "relation": "child", "birth_date": "0001-01-01"}, format="json")
    assert "birth_date" in problem(response, 400)["errors"]
    assert not world["member"].dependants.exists()


# --- NUL bytes and bad filter values in query strings and bodies: a 400 naming the parameter ----------------------

@pytest.mark.parametrize(("who", "path", "query", "field"), [
    ("anon", "/api/v1/organisations/grassroots/", {"search": "\x00"}, "search"),
    ("anon", "/api/v1/facilities/", {"q": "\x00"}, "q"),
    ("anon", "/api/v1/facilities/", {"region": "\x00"}, "region"),
    ("anon", "/api/v1/facilities/", {"org": "\x00"}, "org"),
    ("anon", "/api/v1/sessions/", {"q": "a\x00b"}, "q"),
    ("anon", "/api/v1/sessions/", {"category": "\x00"}, "category"),
    ("anon", "/api/v1/sessions/", {"facility": "abc"}, "facility"),
    ("anon", "/api/v1/sessions/", {"page": "\x00"}, "page"),
    ("anon", "/api/v1/sessions/", {"page_size": "many"}, "page_size"),
    ("anon", "/api/v1/sessions/", {"page_size": "0"}, "page_size"),
    ("anon", "/api/v1/sessions/", {"page_size": "1000"}, "page_size"),
    ("anon", "/api/v1/sessions/", {"page_size": ""}, "page_size"),
    ("anon", "/api/v1/sessions/", {"start": ""}, "start"),
    ("anon", "/api/v1/facilities/", {"region": ""}, "region"),
    ("member", "/api/v1/bookings/", {"status": "\x00"}, "status"),
    ("member", "/api/v1/notifications/", {"unread": "\x00"}, "unread"),
    ("member", "/api/v1/notifications/", {"unread": "maybe"}, "unread"),
    ("staff", "/api/v1/staff/members/", {"status": "\x00"}, "status"),
    ("staff", "/api/v1/staff/members/", {"org": "AAA"}, "org"),
    ("staff", "/api/v1/staff/activities/", {"facility": "\x00"}, "facility"),
    ("staff", "/api/v1/staff/sessions/", {"activity": "1e3"}, "activity"),
    ("staff", "/api/v1/staff/venues/", {"facility": "x"}, "facility"),
    ("staff", "/api/v1/staff/asset-records/", {"year": "\x00"}, "year"),
    ("staff", "/api/v1/staff/asset-records/", {"year": "99999999999999999999"}, "year"),
])
def test_bad_query_values_are_a_400_naming_the_parameter(world, api, who, path, query, field):
    client = {"anon": api, "member": api_as(world["member"].user), "staff": api_as(world["staff"])}[who]
    assert field in problem(client.get(path, query), 400)["errors"]


def test_search_through_the_api(world, api):
    """The palace pages' search, now a selector, answers `?q=` in the API too."""
    facilities = api.get("/api/v1/facilities/", {"q": world["activity"].title}).json()["results"]
    assert [f["id"] for f in facilities] == [world["palace"].pk]
    assert api.get("/api/v1/facilities/", {"q": "没有这个词"}).json()["results"] == []
    sessions = api.get("/api/v1/sessions/", {"q": world["palace"].name}).json()["results"]
    assert [s["id"] for s in sessions] == [world["session"].pk]


@pytest.mark.parametrize(("who", "method", "path", "body", "field"), [
    ("staff", "post", "/api/v1/staff/checkins/", {"code": "\x00"}, "code"),
    ("member", "patch", "/api/v1/me/", {"real_name": "王\x00"}, "real_name"),
    ("member", "post", "/api/v1/me/dependants/", {"name": "\x00", "relation": "child", "birth_date": "2015-01-01"},
     "name"),
])
def test_nul_bytes_in_bodies_are_a_field_error(world, who, method, path, body, field):
    client = api_as(world["member"].user if who == "member" else world["staff"])
    assert field in problem(getattr(client, method)(path, body, format="json"), 400)["errors"]


@pytest.mark.parametrize(("who", "path", "body", "field"), [
    ("member", "/api/v1/me/dependants/", {"name": 0, "relation": "child", "birth_date": "2015-01-01"}, "name"),
    ("member", "/api/v1/bookings/", {"session": "1"}, "session"),
    ("member", "/api/v1/bookings/", {"session": 1, "waitlist": "yes"}, "waitlist"),
    ("member", "/api/v1/bookings/", {"session": 1, "seats": 1.5}, "seats"),
    ("staff", "/api/v1/staff/activities/{activity}/generate/", {"rrule": ["FREQ=DAILY"]}, "rrule"),
    ("staff", "/api/v1/staff/activities/{activity}/generate/", {"exdates": "2026-01-01"}, "exdates"),
    ("staff", "/api/v1/staff/activities/{activity}/generate/", {"exdates": [20260101]}, "exdates"),
    ("staff", "/api/v1/staff/walk-ins/", {"facility": "1", "persons": 2}, "facility"),
])
def test_json_values_of_the_wrong_type_are_refused(world, who, path, body, field):
    """The schema says integer, string, boolean, list: a value of another JSON type is a field error, not
    silently converted (DRF's default), so the API accepts exactly what its schema documents."""
    client = api_as(world["member"].user if who == "member" else world["staff"])
    response = client.post(path.format(activity=world["activity"].pk), body, format="json")
    assert any(name.split(".")[0] == field for name in problem(response, 400)["errors"])


def test_the_api_takes_json_only(world):
    response = api_as(world["member"].user).patch("/api/v1/me/", "real_name=x",
                                                  content_type="application/x-www-form-urlencoded")
    problem(response, 415)


# --- Request bodies that would exhaust the parser --------------------------------------------------------------

@pytest.mark.parametrize("body", ["[" * 5000, '{"a":' * 5000, "[" * 33 + "]" * 33])
def test_deeply_nested_json_is_a_400(world, body):
    response = api_as(world["member"].user).patch("/api/v1/me/", body, content_type="application/json")
    assert "nested" in problem(response, 400)["detail"] or "嵌套" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/_allauth/app/v1/auth/login", "/_allauth/app/v1/auth/signup",
                                  "/_allauth/browser/v1/auth/login"])
def test_deeply_nested_json_is_a_400_outside_the_api_too(path):
    """allauth's headless endpoints parse JSON themselves: the same cap applies to them."""
    response = APIClient().post(path, "[" * 5000, content_type="application/json")
    problem(response, 400)


def test_ordinary_json_still_parses(world):
    # Brackets inside strings do not count towards the depth cap: the body parses and reaches the field
    # validators (names refuse brackets, so the answer is that field's error, not a parse error).
    deep_looking = "[" * 40 + "{" * 40
    body = json.dumps({"real_name": deep_looking, "phone": ""})
    response = api_as(world["member"].user).patch("/api/v1/me/", body, content_type="application/json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["real_name"]
    ok = api_as(world["member"].user).patch("/api/v1/me/", json.dumps({"real_name": "王建国"}),
                                           content_type="application/json")
    assert ok.status_code == 200 and ok.json()["real_name"] == "王建国"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_oversized_json_is_a_400(world):
    body = json.dumps({"real_name": "王" * 2000})
    response = api_as(world["member"].user).patch("/api/v1/me/", body, content_type="application/json")
    problem(response, 400)
    world["member"].refresh_from_db()
    assert world["member"].real_name != "王" * 2000


# --- HTML pages: never a 500; a bad filter is left out with a message ----------------------------------------------

def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "2026-13-45", "\x00"])
def test_palace_week_calendar_survives_any_week(world, week):
    response = Client().get(reverse("frontend:palace_detail", args=[world["palace"].pk]), {"week": week})
    assert response.status_code == 200
    assert len(_messages(response)) == 1  # "that week cannot be shown; here is this week"


def test_palace_week_calendar_shows_the_last_week_of_the_window(world):
    response = Client().get(reverse("frontend:palace_detail", args=[world["palace"].pk]), {"week": "2100-12-31"})
    assert response.status_code == 200 and _messages(response) == []


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "2026-13-45"])
def test_console_week_calendar_survives_any_week(world, week):
    response = html_as(world["staff"]).get(reverse("frontend:console:session_calendar"), {"week": week})
    assert response.status_code == 200 and len(_messages(response)) == 1


@pytest.mark.parametrize(("query", "kept"), [
    ({"q": "\x00"}, True), ({"region": "\x00"}, True), ({"category": "\x00"}, True),
    ({"region": "abc", "q": "民族舞"}, True),
])
def test_palace_list_leaves_out_bad_filters_and_says_so(world, query, kept):
    response = Client().get(reverse("frontend:palaces"), query)
    assert response.status_code == 200
    assert len(_messages(response)) == 1
    assert world["palace"] in list(response.context["palaces"])


def test_palace_list_search_finds_activities(world):
    response = Client().get(reverse("frontend:palaces"), {"q": world["activity"].title[:3]})
    assert list(response.context["palaces"]) == [world["palace"]] and _messages(response) == []


@pytest.mark.parametrize("path", ["/calendar/%00.ics", "/calendar/AAA.ics", "/calendar/" + "x" * 200 + ".ics",
                                  "/palaces/AAA/", "/console/sessions/AAA/"])
def test_bad_path_segments_are_404_pages(world, path):
    assert Client().get(path).status_code == 404


@pytest.mark.parametrize(("field", "value"), [("exdates", "2026-13-45"), ("exdates", "2026-01-01, 9999-12-31"),
                                              ("first_start", "9999-12-31T23:00"),
                                              ("first_start", "0001-01-01T00:00"),
                                              ("duration_minutes", str(10 ** 12)), ("capacity", str(10 ** 12))])
def test_schedule_form_puts_impossible_values_on_their_field(world, field, value):
    data = {"first_start": "2099-01-06T19:00", "duration_minutes": "90", "weekdays": ["TU"], "weeks": "2",
            "rrule": "", "exdates": "", "capacity": "", "venue": "", field: value}
    url = reverse("frontend:console:activity_schedule", args=[world["activity"].pk])
    response = html_as(world["staff"]).post(url, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert world["activity"].sessions.count() == 1


def test_walk_in_dated_year_one_is_a_form_error(world):
    response = html_as(world["staff"]).post(reverse("frontend:console:checkin"), {
        "action": "walkin", "facility": world["palace"].pk, "persons": "3", "date": "0001-01-01"})
    assert response.status_code == 400 and "date" in response.context["walkin_form"].errors


@pytest.mark.parametrize("facility", ["\x00", "abc", "-1", "99999999999999999999"])
def test_walk_in_form_reload_survives_any_facility(world, facility):
    response = html_as(world["staff"]).get(reverse("frontend:console:checkin"), {"facility": facility},
                                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def test_checkin_code_with_nul_is_refused_on_the_page(world):
    response = html_as(world["staff"]).post(reverse("frontend:console:checkin"), {"code": "abc\x00"})
    assert response.status_code == 200 and response.context["result"]["kind"] == "error"


def test_console_member_filter_survives_nul(world):
    response = html_as(world["staff"]).get(reverse("frontend:console:members"), {"org": "\x00"})
    assert response.status_code == 200 and len(_messages(response)) == 1


def test_dependant_form_refuses_year_one(world):
    response = html_as(world["member"].user).post(reverse("frontend:dependant_create"), {
        "name": "小明", "relation": "child", "birth_date": "0001-01-01"})
    assert response.status_code in (200, 400) and not world["member"].dependants.exists()


# --- The class: every date an API body accepts is bounded ----------------------------------------------------------

def test_an_unbounded_date_in_a_request_body_fails_schema_generation():
    """tests/test_schema.py generates the schema with --fail-on-warn, so this warning stops any new endpoint
    that would take dates outside the window; the real schema has none."""
    from django.urls import path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.generics import CreateAPIView

    from portal import inputs

    class Careless(serializers.Serializer):
        when = serializers.DateTimeField()
        days = serializers.ListField(child=serializers.DateField())
        fine = inputs.BoundedDateField()

    class CarelessView(CreateAPIView):
        serializer_class = Careless

    GENERATOR_STATS.reset()
    SchemaGenerator(patterns=[path("careless/", CarelessView.as_view())]).get_schema(public=True)
    warnings = list(GENERATOR_STATS._warn_cache)
    GENERATOR_STATS.reset()
    assert any("Careless.when" in w for w in warnings) and any("days" in w for w in warnings)
    assert not any("fine" in w for w in warnings)
