"""The access matrix: every route in the URL conf x every kind of actor -> the answer the project promises.

Routes come from get_resolver() (tests/security/routes.py), so a new route is tried the day it is added; the
meta-test fails until it has a line in ROUTES below. Actors sign in as real people do (password, plus the
TOTP code for staff: tests/logins.py). Rules (docs/architecture.md, Permissions):
- anonymous: 401 on the API, 302 to the login page on HTML pages;
- members on staff routes: 403; staff without TOTP: 403 on the API, sent to TOTP setup (or 403) on the console;
- staff whose grant was withdrawn: 403;
- staff of a sibling union: 404 for an object of ours, a list shows none of ours, a list filtered on
  one of ours is 403; staff of the parent union: allowed;
- a member's own objects: 404 for anyone else.
Every actor without rights must also leave the owner's rows unchanged and never see the owner's private
strings (conftest.SENTINELS) in any answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from .conftest import ACTORS, SENTINELS, TRUSTED, fingerprint
from .routes import RouteInfo, all_routes

pytestmark = pytest.mark.django_db

# --- what each actor may expect, by kind of route ------------------------------------------------------------

OK, LOGIN, FORBIDDEN, HIDDEN, OWN, NO_MFA, REFUSED, NO_EFFECT = (
    "ok", "login", "forbidden", "hidden", "own", "no_mfa", "refused", "no_effect")

PUBLIC = "public"                # anyone, signed in or not
AUTH = "authenticated"           # any signed-in account
TOKEN = "token"                  # a secret in the URL is the credential: a wrong one is 404 for everybody
MEMBER_SELF = "member_self"      # the signed-in member's own data, no object id in the URL
MEMBER_OBJECT = "member_object"  # one of the member's objects by id
STAFF_LIST = "staff_list"        # a staff page or list: each staff member sees their subtrees
STAFF_OBJECT = "staff_object"    # one object of the city union by id
STAFF_CREATE = "staff_create"    # a create naming an object of the city union in its body
STAFF_ACTION = "staff_action"    # a staff form that answers 200 with its own message (check-in)
STAFF_OWN = "staff_own"          # a staff member's own object (an export, a saved template): 404 to other staff

_STAFF = {"anonymous": LOGIN, "unverified": FORBIDDEN, "other_member": FORBIDDEN, "owner_member": FORBIDDEN,
          "no_totp": NO_MFA, "revoked": FORBIDDEN, "parent": OK, "owner_staff": OK}
_MEMBER = {a: OWN for a in ACTORS} | {"anonymous": LOGIN, "owner_member": OK}
EXPECT: dict[str, dict[str, str]] = {
    PUBLIC: {a: OK for a in ACTORS},
    AUTH: {a: OK for a in ACTORS} | {"anonymous": LOGIN},
    TOKEN: {a: HIDDEN for a in ACTORS},
    MEMBER_SELF: _MEMBER,
    MEMBER_OBJECT: {a: HIDDEN for a in ACTORS} | {"anonymous": LOGIN, "owner_member": OK},
    STAFF_LIST: _STAFF | {"sibling": OK},
    STAFF_OBJECT: _STAFF | {"sibling": HIDDEN},
    STAFF_CREATE: _STAFF | {"sibling": REFUSED},
    STAFF_ACTION: _STAFF | {"sibling": NO_EFFECT},
    STAFF_OWN: _STAFF | {"sibling": HIDDEN, "parent": HIDDEN},
}


@dataclass(frozen=True)
class R:
    """One route: its kind, the methods it serves, and how to fill its URL and a minimal body.

    obj: the world object (tests/security/conftest.py) its <pk> names; kwargs: other URL kwargs -> world keys;
    write: the kind of its POST/PUT/PATCH/DELETE when it differs from GET's; body: a minimal body, "@key"
    values are world objects; filter: query naming one of the city's objects (sibling staff: 403)."""

    kind: str
    methods: str = "GET"
    obj: str | None = None
    kwargs: dict = field(default_factory=dict)
    write: str | None = None
    body: dict = field(default_factory=dict)
    filter: dict = field(default_factory=dict)
    multipart: bool = False


# --- the table: one line per route name ----------------------------------------------------------------------

ROUTES: dict[str, R] = {
    # platform
    "healthz": R(PUBLIC),
    "calendar-feed": R(TOKEN, kwargs={"token": "wrongtoken-wrongtoken-0000"}),
    "api-root": R(AUTH),
    # member API
    "me": R(MEMBER_SELF, "GET PATCH"),
    "me-access-log": R(MEMBER_SELF),
    "booking-suspension": R(MEMBER_SELF),
    "calendar-feed-url": R(MEMBER_SELF, "GET POST DELETE"),
    "dependant-list": R(MEMBER_SELF, "GET POST"),
    "dependant-detail": R(MEMBER_OBJECT, "DELETE", obj="dependant"),
    "notification-list": R(MEMBER_SELF),
    "notification-detail": R(MEMBER_OBJECT, obj="message"),
    "notification-read": R(MEMBER_OBJECT, "POST", obj="message"),
    "booking-list": R(MEMBER_SELF, "GET POST"),
    "booking-detail": R(MEMBER_OBJECT, obj="booking"),
    "booking-cancel": R(MEMBER_OBJECT, "POST", obj="booking"),
    "booking-accept": R(MEMBER_OBJECT, "POST", obj="booking"),
    "booking-decline": R(MEMBER_OBJECT, "POST", obj="booking"),
    "booking-ticket": R(MEMBER_OBJECT, obj="booking"),
    # public API
    "grassroots-list": R(PUBLIC),
    "facility-list": R(PUBLIC),
    "facility-detail": R(PUBLIC, obj="facility"),
    "session-list": R(PUBLIC),
    "session-detail": R(PUBLIC, obj="session"),
    # staff API
    "staff-member-list": R(STAFF_LIST, filter={"org": "@city"}),
    "staff-member-detail": R(STAFF_OBJECT, obj="member"),
    "staff-member-verify": R(STAFF_OBJECT, "POST", obj="member"),
    "staff-member-reject": R(STAFF_OBJECT, "POST", obj="member", body={"reason": "x"}),
    "staff-venue-list": R(STAFF_LIST, "GET POST", filter={"facility": "@facility"}, write=STAFF_CREATE,
                          body={"facility": "@facility", "name": "新教室", "kind": "classroom", "capacity": 10}),
    "staff-venue-detail": R(STAFF_OBJECT, "GET PUT PATCH DELETE", obj="venue"),
    "staff-asset-record-list": R(STAFF_LIST, "GET POST", filter={"facility": "@facility"}, write=STAFF_CREATE,
                                 body={"facility": "@facility", "year": 2024, "book_value_fen": 1,
                                       "land_area_m2": 1, "floor_area_m2": 1, "title_status": "held",
                                       "operating_mode": "self_run"}),
    "staff-asset-record-detail": R(STAFF_OBJECT, "GET PUT PATCH", obj="asset"),
    "staff-activity-list": R(STAFF_LIST, "GET POST", filter={"facility": "@facility"}, write=STAFF_CREATE,
                             body={"facility": "@facility", "kind": "event", "title": "新活动", "category": "music"}),
    "staff-activity-detail": R(STAFF_OBJECT, "GET PUT PATCH", obj="activity"),
    "staff-activity-generate": R(STAFF_OBJECT, "POST", obj="activity"),
    "staff-session-list": R(STAFF_LIST, filter={"activity": "@activity"}),
    "staff-session-detail": R(STAFF_OBJECT, obj="session"),
    "staff-session-bookings": R(STAFF_OBJECT, obj="session"),
    "staff-session-cancel": R(STAFF_OBJECT, "POST", obj="session", body={"reason": "x"}),
    "staff-session-capacity": R(STAFF_OBJECT, "POST", obj="session", body={"capacity": 5}),
    "staff-session-move": R(STAFF_OBJECT, "POST", obj="session",
                            body={"start": "2030-01-07T10:00:00+08:00", "end": "2030-01-07T11:00:00+08:00"}),
    "staff-checkin-list": R(STAFF_CREATE, "POST", body={"code": "@ticket"}),
    "staff-walkin-list": R(STAFF_LIST, "GET POST", write=STAFF_CREATE, body={"facility": "@facility", "persons": 2}),
    "staff-facility-photos": R(STAFF_OBJECT, "POST", kwargs={"facility_pk": "facility"}, multipart=True),
    "staff-facility-photo": R(STAFF_OBJECT, "DELETE", obj="photo", kwargs={"facility_pk": "facility"}),
    # mutual-aid API
    "scheme-list": R(PUBLIC),
    "scheme-detail": R(PUBLIC, obj="scheme"),
    "certificate-verify": R(TOKEN, kwargs={"code": "not-a-certificate-code"}),
    "enrolment-list": R(MEMBER_SELF, "GET POST"),
    "enrolment-detail": R(MEMBER_OBJECT, obj="enrolment"),
    "enrolment-cancel": R(MEMBER_OBJECT, "POST", obj="enrolment"),
    "claim-list": R(MEMBER_SELF, "GET POST", multipart=True),
    "claim-detail": R(MEMBER_OBJECT, obj="claim"),
    "claim-documents": R(MEMBER_OBJECT, "POST", obj="claim", multipart=True),
    "claim-document": R(MEMBER_OBJECT, obj="claim", kwargs={"document_id": "claim_document"}),
    "staff-scheme-list": R(STAFF_LIST, "GET POST", write=STAFF_CREATE,
                           body={"organisation": "@city", "title": "新计划", "kind": "inpatient"}),
    "staff-scheme-detail": R(STAFF_OBJECT, "GET PUT PATCH", obj="scheme"),
    "staff-scheme-dashboard": R(STAFF_LIST),
    "staff-enrolment-list": R(STAFF_LIST, filter={"scheme": "@scheme"}),
    "staff-enrolment-export": R(STAFF_LIST, filter={"scheme": "@scheme"}),
    "staff-claim-list": R(STAFF_LIST, filter={"scheme": "@scheme"}),
    "staff-claim-detail": R(STAFF_OBJECT, obj="claim"),
    "staff-claim-document": R(STAFF_OBJECT, obj="claim", kwargs={"document_id": "claim_document"}),
    "staff-claim-request-more": R(STAFF_OBJECT, "POST", obj="claim", body={"message": "x"}),
    "staff-claim-approve": R(STAFF_OBJECT, "POST", obj="claim"),
    "staff-claim-reject": R(STAFF_OBJECT, "POST", obj="claim", body={"reason": "x"}),
    "staff-claim-mark-paid": R(STAFF_OBJECT, "POST", obj="claim", body={"payout_reference": "x"}),
    # sanatorium stays (API)
    "facility-availability": R(PUBLIC, obj="sanatorium"),
    "stay-list": R(MEMBER_SELF, "GET POST"),
    "stay-quote": R(MEMBER_SELF, "POST"),
    "stay-detail": R(MEMBER_OBJECT, obj="stay"),
    "stay-cancel": R(MEMBER_OBJECT, "POST", obj="stay"),
    "staff-stay-list": R(STAFF_LIST, filter={"facility": "@sanatorium"}),
    "staff-stay-day": R(STAFF_LIST, filter={"facility": "@sanatorium"}),
    "staff-stay-detail": R(STAFF_OBJECT, obj="stay"),
    "staff-stay-check-in": R(STAFF_OBJECT, "POST", obj="stay"),
    "staff-stay-check-out": R(STAFF_OBJECT, "POST", obj="stay"),
    "staff-room-type-list": R(STAFF_LIST, "GET POST", filter={"facility": "@sanatorium"}, write=STAFF_CREATE,
                              body={"facility": "@sanatorium", "kind": "twin", "name": "新房型", "rooms": 2, "beds": 2,
                                    "member_price_fen": 100, "companion_price_fen": 100}),
    "staff-room-type-detail": R(STAFF_OBJECT, "GET PUT PATCH DELETE", obj="room_type"),
    "staff-room-type-nights": R(STAFF_OBJECT, obj="room_type"),
    "staff-room-type-nights-open": R(STAFF_OBJECT, "POST", obj="room_type"),
    "staff-room-type-nights-close": R(STAFF_OBJECT, "POST", obj="room_type"),
    "staff-room-type-nights-resize": R(STAFF_OBJECT, "POST", obj="room_type"),
    "staff-room-type-photos": R(STAFF_OBJECT, "POST", kwargs={"room_type_pk": "room_type"}, multipart=True),
    "staff-room-type-photo": R(STAFF_OBJECT, "DELETE", obj="room_photo", kwargs={"room_type_pk": "room_type"}),
    "staff-stay-policy": R(STAFF_OBJECT, "GET PUT", kwargs={"facility_pk": "sanatorium"}),
    # member pages
    "frontend:home": R(PUBLIC),
    "frontend:palaces": R(PUBLIC),
    "frontend:palace_detail": R(PUBLIC, obj="facility"),
    "frontend:set_language": R(PUBLIC, "POST", body={"language": "zh-hans"}),
    "frontend:set_text_size": R(PUBLIC, "POST", body={"size": "large"}),
    "frontend:session_book": R(AUTH, "GET POST", obj="session"),
    "frontend:profile": R(MEMBER_SELF),
    "frontend:profile_edit": R(MEMBER_SELF, "GET POST"),
    "frontend:access_log": R(MEMBER_SELF),
    "frontend:dependant_create": R(MEMBER_SELF, "POST"),
    "frontend:dependant_delete": R(MEMBER_OBJECT, "POST", obj="dependant"),
    "frontend:inbox": R(MEMBER_SELF),
    "frontend:message_read_all": R(MEMBER_SELF, "POST"),
    "frontend:message_read": R(MEMBER_OBJECT, "POST", obj="message"),
    "frontend:booking_list": R(MEMBER_SELF),
    "frontend:booking_detail": R(MEMBER_OBJECT, obj="booking"),
    "frontend:booking_ics": R(MEMBER_OBJECT, obj="booking"),
    "frontend:booking_cancel": R(MEMBER_OBJECT, "POST", obj="booking"),
    "frontend:offer_accept": R(MEMBER_OBJECT, "POST", obj="booking"),
    "frontend:offer_decline": R(MEMBER_OBJECT, "POST", obj="booking"),
    "frontend:calendar_feed": R(MEMBER_SELF),
    "frontend:programmes": R(PUBLIC),
    "frontend:programme_detail": R(PUBLIC, obj="programme"),
    "frontend:batch_apply": R(AUTH, "GET POST", obj="batch", kwargs={"programme_pk": "programme"}),
    "frontend:application_list": R(MEMBER_SELF),
    "frontend:application_detail": R(MEMBER_OBJECT, obj="application"),
    "frontend:application_withdraw": R(MEMBER_OBJECT, "GET POST", obj="application"),
    "frontend:sanatoriums": R(PUBLIC),
    "frontend:sanatorium_detail": R(PUBLIC, obj="sanatorium"),
    "frontend:room_type_detail": R(PUBLIC, obj="room_type"),
    "frontend:stay_book": R(AUTH, "GET POST", obj="room_type"),
    "frontend:stay_list": R(MEMBER_SELF),
    "frontend:stay_detail": R(MEMBER_OBJECT, obj="stay"),
    "frontend:stay_cancel": R(MEMBER_OBJECT, "POST", obj="stay"),
    # staff console
    "frontend:console:today": R(STAFF_LIST),
    "frontend:console:members": R(STAFF_LIST, filter={"org": "@city", "status": "all"}),
    "frontend:console:member_detail": R(STAFF_OBJECT, obj="member"),
    "frontend:console:member_verify": R(STAFF_OBJECT, "POST", obj="member"),
    "frontend:console:member_reject": R(STAFF_OBJECT, "POST", obj="member", body={"reason": "x"}),
    "frontend:console:facilities": R(STAFF_LIST),
    "frontend:console:facility_create": R(STAFF_LIST, "GET POST", write=STAFF_CREATE,
                                          body={"organisation": "@city", "kind": "palace", "name": "新宫",
                                                "region_code": "330100", "status": "open"}),
    "frontend:console:facility_detail": R(STAFF_OBJECT, "GET POST", obj="facility", body={"action": "venue"}),
    "frontend:console:facility_edit": R(STAFF_OBJECT, "GET POST", obj="facility"),
    "frontend:console:venue_detail": R(STAFF_OBJECT, "GET POST", obj="venue", body={"action": "delete"}),
    "frontend:console:asset_detail": R(STAFF_OBJECT, "GET POST", obj="asset"),
    "frontend:console:photo_delete": R(STAFF_OBJECT, "POST", obj="photo"),
    "frontend:console:activities": R(STAFF_LIST),
    "frontend:console:activity_create": R(STAFF_LIST, "GET POST", write=STAFF_CREATE,
                                          body={"facility": "@facility", "kind": "event", "title": "新活动"}),
    "frontend:console:activity_detail": R(STAFF_OBJECT, "GET POST", obj="activity"),
    "frontend:console:activity_schedule": R(STAFF_OBJECT, "GET POST", obj="activity"),
    "frontend:console:session_calendar": R(STAFF_LIST),
    "frontend:console:session_detail": R(STAFF_OBJECT, "GET POST", obj="session", body={"action": "cancel"}),
    "frontend:console:session_roster": R(STAFF_OBJECT, obj="session"),
    "frontend:console:session_roster_csv": R(STAFF_OBJECT, obj="session"),
    "frontend:console:session_roster_xlsx": R(STAFF_OBJECT, obj="session"),
    "frontend:console:payments": R(STAFF_LIST),
    "frontend:console:payments_csv": R(STAFF_LIST),
    "frontend:console:payment_refund": R(STAFF_OBJECT, "GET POST", obj="paid_payment"),
    "frontend:console:programmes": R(STAFF_LIST),
    "frontend:console:programme_create": R(STAFF_LIST, "GET POST", write=STAFF_CREATE,
                                           body={"organisation": "@city", "title": "新项目", "year": 2027}),
    "frontend:console:programme_detail": R(STAFF_OBJECT, "GET POST", obj="programme"),
    "frontend:console:batch_detail": R(STAFF_OBJECT, obj="batch"),
    "frontend:console:batch_nominate": R(STAFF_OBJECT, "GET POST", obj="batch"),
    "frontend:console:batch_roster": R(STAFF_OBJECT, obj="batch"),
    "frontend:console:batch_roster_csv": R(STAFF_OBJECT, obj="batch"),
    "frontend:console:batch_roster_xlsx": R(STAFF_OBJECT, obj="batch"),
    "frontend:console:quota_allocate": R(STAFF_OBJECT, "POST", obj="allocation"),
    "frontend:console:quota_hand_back": R(STAFF_OBJECT, "POST", obj="allocation"),
    "frontend:console:approvals": R(STAFF_LIST),
    "frontend:console:participant_check": R(STAFF_OBJECT, "POST", obj="application", body={"action": "check_in"}),
    "frontend:console:application_detail": R(STAFF_OBJECT, "GET POST", obj="application", body={"action": "approve"}),
    "frontend:payment_list": R(MEMBER_SELF),
    "frontend:payment_pay": R(MEMBER_OBJECT, "GET POST", obj="payment"),
    "frontend:payment_status": R(MEMBER_OBJECT, obj="payment"),
    "frontend:payment_receipt": R(MEMBER_OBJECT, obj="paid_payment"),
    "payment-list": R(MEMBER_SELF),
    "payment-detail": R(MEMBER_OBJECT, obj="payment"),
    "payment-confirm": R(MEMBER_OBJECT, "POST", obj="payment"),
    "payment-receipt": R(MEMBER_OBJECT, obj="paid_payment"),
    "staff-payment-list": R(STAFF_LIST),
    "staff-payment-detail": R(STAFF_OBJECT, obj="payment"),
    "staff-payment-refund": R(STAFF_OBJECT, "POST", obj="paid_payment"),
    "staff-roster-list": R(STAFF_LIST, "GET POST", write=STAFF_CREATE, multipart=True,
                           body={"scheme": "@scheme", "organisation": "@city"}),
    "staff-roster-detail": R(STAFF_OBJECT, obj="roster"),
    "staff-roster-confirm": R(STAFF_OBJECT, "POST", obj="roster"),
    "staff-roster-errors": R(STAFF_OBJECT, obj="roster"),
    "frontend:console:checkin": R(STAFF_LIST, "GET POST", write=STAFF_ACTION, body={"code": "@ticket"}),
    "frontend:console:audit": R(STAFF_LIST),
    # recuperation programmes (API)
    "programme-list": R(PUBLIC),
    "programme-detail": R(PUBLIC, obj="programme"),
    "programme-applications": R(MEMBER_SELF, "POST", obj="programme", body={"batch": "@batch"}),
    "application-list": R(MEMBER_SELF),
    "application-detail": R(MEMBER_OBJECT, obj="application"),
    "application-withdraw": R(MEMBER_OBJECT, "POST", obj="application"),
    "staff-programme-list": R(STAFF_LIST, "GET POST", write=STAFF_CREATE,
                              body={"organisation": "@city", "title": "新项目", "year": 2027}),
    "staff-programme-detail": R(STAFF_OBJECT, "GET PUT PATCH", obj="programme"),
    "staff-batch-list": R(STAFF_LIST, "GET POST", filter={"programme": "@programme"}, write=STAFF_CREATE,
                          body={"programme": "@programme"}),
    "staff-batch-detail": R(STAFF_OBJECT, obj="batch"),
    "staff-batch-cancel": R(STAFF_OBJECT, "POST", obj="batch", body={"reason": "x"}),
    "staff-batch-allocations": R(STAFF_OBJECT, obj="batch"),
    "staff-batch-roster": R(STAFF_OBJECT, obj="batch"),
    "staff-batch-roster-csv": R(STAFF_OBJECT, obj="batch"),
    "staff-batch-roster-xlsx": R(STAFF_OBJECT, obj="batch"),
    "staff-allocation-list": R(STAFF_LIST, filter={"batch": "@batch"}),
    "staff-allocation-detail": R(STAFF_OBJECT, obj="allocation"),
    "staff-allocation-allocate": R(STAFF_OBJECT, "POST", obj="allocation", body={"organisation": "@city", "places": 1}),
    "staff-allocation-hand-back": R(STAFF_OBJECT, "POST", obj="allocation", body={"places": 1}),
    "staff-application-list": R(STAFF_LIST, "GET POST", filter={"batch": "@batch"}, write=STAFF_CREATE,
                                body={"member": "@owner", "batch": "@batch"}),
    "staff-application-detail": R(STAFF_OBJECT, obj="application"),
    "staff-application-approve": R(STAFF_OBJECT, "POST", obj="application"),
    "staff-application-reject": R(STAFF_OBJECT, "POST", obj="application", body={"reason": "x"}),
    "staff-application-confirm": R(STAFF_OBJECT, "POST", obj="application"),
    "staff-application-check-in": R(STAFF_OBJECT, "POST", obj="application"),
    "staff-application-check-out": R(STAFF_OBJECT, "POST", obj="application"),
    "frontend:console:room_types": R(STAFF_LIST),
    "frontend:console:room_type_create": R(STAFF_LIST, "GET POST", write=STAFF_CREATE, body={
        "facility": "@sanatorium", "name": "新房型", "kind": "twin", "rooms": 2, "beds": 2, "member_price_yuan": 100,
        "companion_price_yuan": 100}),
    "frontend:console:room_type_detail": R(STAFF_OBJECT, "GET POST", obj="room_type",
                                           body={"action": "save", "name": "改名"}),
    "frontend:console:room_nights": R(STAFF_OBJECT, "GET POST", obj="room_type", body={"action": "close"}),
    "frontend:console:room_type_photo_delete": R(STAFF_OBJECT, "POST", obj="room_photo"),
    "frontend:console:stays_today": R(STAFF_LIST),
    "frontend:console:stay_check_in": R(STAFF_OBJECT, "POST", obj="stay"),
    "frontend:console:stay_check_out": R(STAFF_OBJECT, "POST", obj="stay"),
    # mutual-aid pages
    "frontend:aid_schemes": R(PUBLIC),
    "frontend:aid_verify": R(PUBLIC, kwargs={"code": "certificate_code"}),
    "frontend:aid_enrol": R(AUTH, "GET POST", obj="scheme"),
    "frontend:aid_mine": R(MEMBER_SELF),
    "frontend:aid_certificate": R(MEMBER_OBJECT, obj="enrolment"),
    "frontend:aid_claim_create": R(MEMBER_SELF, "GET POST", body={"enrolment": "@enrolment"}),
    "frontend:aid_claim_detail": R(MEMBER_OBJECT, "GET POST", obj="claim"),
    "frontend:aid_claim_document": R(MEMBER_OBJECT, obj="claim", kwargs={"doc": "claim_document"}),
    "frontend:console:mutualaid": R(STAFF_LIST),
    "frontend:console:schemes": R(STAFF_LIST),
    "frontend:console:scheme_create": R(STAFF_LIST, "GET POST", write=STAFF_CREATE,
                                        body={"organisation": "@city", "title": "新计划", "kind": "inpatient"}),
    "frontend:console:scheme_edit": R(STAFF_OBJECT, "GET POST", obj="scheme"),
    "frontend:console:roster_upload": R(STAFF_LIST, "GET POST", write=STAFF_CREATE,
                                        body={"scheme": "@scheme", "organisation": "@city"}),
    "frontend:console:roster_detail": R(STAFF_OBJECT, "GET POST", obj="roster"),
    "frontend:console:roster_errors": R(STAFF_OBJECT, obj="roster"),
    "frontend:console:enrolments": R(STAFF_LIST),
    "frontend:console:enrolments_csv": R(STAFF_LIST),
    "frontend:console:enrolments_xlsx": R(STAFF_LIST),
    "frontend:console:claims": R(STAFF_LIST),
    "frontend:console:claim_detail": R(STAFF_OBJECT, "GET POST", obj="claim", body={"action": "reject",
                                                                                   "reject-reason": "x"}),
    "frontend:console:claim_document": R(STAFF_OBJECT, obj="claim", kwargs={"doc": "claim_document"}),
    # statistics pages (an organisation out of scope in ?org= is 404: tests/frontend/test_console_stats.py)
    "frontend:console:stats_dashboard": R(STAFF_LIST),
    "frontend:console:stats_csv": R(STAFF_LIST),
    "frontend:console:stats_report": R(STAFF_LIST),
    "frontend:console:stats_targets": R(STAFF_LIST, "GET POST", body={"person_times": 1000}),
    "frontend:console:stats_exports": R(STAFF_LIST, "GET POST", write=STAFF_CREATE, body={
        "kind": "summary", "organisation": "@city", "start": "2025-01-01", "end": "2025-12-31", "format": "csv"}),
    "frontend:console:stats_export": R(STAFF_OWN, obj="stats_export"),
    "frontend:console:stats_export_download": R(STAFF_OWN, obj="stats_export"),
    "frontend:console:stats_template_run": R(STAFF_OWN, "POST", obj="stats_template"),
    # statistics API (issue 12): figures of the caller's own subtree; exports and templates are the requester's
    "stats-summary": R(STAFF_LIST),
    "stats-service-per-asset": R(STAFF_LIST),
    "staff-target-list": R(STAFF_LIST, "GET POST", write=STAFF_CREATE, body={
        "organisation": "@city", "year": 2026, "metric": "person_times", "value": 10}),
    "stats-export-list": R(STAFF_LIST, "GET POST", body={"kind": "summary", "format": "csv"}),
    "stats-export-detail": R(STAFF_OWN, obj="stats_export"),
    "stats-export-download": R(STAFF_OWN, obj="stats_export"),
    "stats-export-template-list": R(STAFF_LIST, "GET POST", body={"name": "年度汇总", "kind": "summary",
                                                                   "format": "xlsx"}),
    "stats-export-template-detail": R(STAFF_OWN, "GET PUT PATCH DELETE", obj="stats_template", body={
        "name": "年度汇总", "kind": "summary", "format": "xlsx"}),
    "stats-export-template-run": R(STAFF_OWN, "POST", obj="stats_template"),
}

# --- running one request and judging its answer --------------------------------------------------------------

_WRITE_OK = {200, 201, 202, 204, 302, 400, 409}


def _value(world, raw):
    if isinstance(raw, str) and raw.startswith("@"):
        value = world[raw[1:]]
        return getattr(value, "pk", value)
    return raw


def url_for(route: RouteInfo, entry: R, world) -> str:
    kwargs = {}
    for name in route.kwargs:
        if name == "pk":
            kwargs[name] = world[entry.obj].pk
        else:
            key = entry.kwargs[name]
            kwargs[name] = getattr(world.get(key), "pk", world.get(key, key))
    return reverse(route.name, kwargs=kwargs)


def _login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        (reverse("account_login"), "/admin/login/"))


def judge(outcome: str, response, *, api: bool, method: str) -> str | None:
    """None when the answer fits the expected outcome, else what was wrong."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if outcome == LOGIN:
        ok = status == 401 if api else _login_redirect(response)
    elif outcome == FORBIDDEN:
        ok = status == 403
    elif outcome == HIDDEN:
        ok = status == 404
    elif outcome == NO_MFA:
        ok = status == 403 or (not api and status == 302 and not response["Location"].startswith("/console/"))
    elif outcome == REFUSED:
        ok = status in (400, 403, 404)
    elif outcome == NO_EFFECT:
        ok = status in (200, 400, 403, 404)
    elif outcome == OWN:
        ok = status in (_WRITE_OK | {404}) and not _login_redirect(response) and status != 403
    else:  # OK: the gate let the request through (a minimal body may still be invalid or conflict)
        ok = status == 200 if method == "GET" else (status in _WRITE_OK and not _login_redirect(response))
    return None if ok else f"expected {outcome}, got {status} {response.get('Location', '')}".strip()


def _leaks(response) -> list[str]:
    content = getattr(response, "content", b"") if not getattr(response, "streaming", False) else b"".join(
        response.streaming_content)
    text = content.decode("utf-8", errors="ignore")
    return [name for name, value in SENTINELS.items() if value in text]


def _content_type_problem(response) -> str | None:
    """ASVS 4.1.1: a body comes with a Content-Type that says what it is, and text says its charset."""
    if response.status_code in (204, 304) or (not getattr(response, "streaming", False) and not response.content):
        return None
    content_type = response.get("Content-Type", "")
    if not content_type:
        return "a body without Content-Type"
    if content_type.startswith("text/") and "charset=" not in content_type:
        return f"{content_type} without a charset"
    return None


class _Rollback(Exception):
    def __init__(self, response):
        self.response = response


def send(client, method: str, url: str, body: dict, *, api: bool, multipart: bool, rollback: bool):
    def call():
        kwargs = {"format": "multipart" if multipart else "json"} if api and method != "GET" else {}
        return getattr(client, method.lower())(url, body or ({} if method != "GET" else None), **kwargs)

    if not rollback:
        return call()
    try:
        with transaction.atomic():  # an allowed write must not change the world the next route sees
            raise _Rollback(call())
    except _Rollback as done:
        return done.response


def run_matrix(actor: str, client, world) -> list[str]:
    routes = {r.name: r for r in all_routes() if r.group is None}
    failures = []
    for n, (name, entry) in enumerate(sorted(ROUTES.items())):
        route = routes.get(name)
        if route is None:
            continue  # the meta-test reports stale entries
        if n % 20 == 0:
            cache.clear()  # DRF's throttles live in the cache; this suite is not about them
        url = url_for(route, entry, world)
        for method in entry.methods.split():
            kind = entry.write if method != "GET" and entry.write else entry.kind
            outcome = EXPECT[kind][actor]
            body = {k: _value(world, v) for k, v in entry.body.items()} if method != "GET" else {}
            requests = [(url, body)]
            if method == "GET" and entry.filter:
                requests.append((url + "?" + "&".join(f"{k}={_value(world, v)}" for k, v in entry.filter.items()),
                                 {}))
            for i, (target, data) in enumerate(requests):
                expected = FORBIDDEN if (i == 1 and actor == "sibling") else outcome
                response = send(client, method, target, data, api=route.is_api, multipart=entry.multipart,
                                rollback=actor in TRUSTED)
                problem = judge(expected, response, api=route.is_api, method=method)
                if problem:
                    failures.append(f"{method} {target} [{name}]: {problem}")
                if problem := _content_type_problem(response):
                    failures.append(f"{method} {target} [{name}]: {problem}")
                if actor not in TRUSTED and (leaked := _leaks(response)):
                    failures.append(f"{method} {target} [{name}]: shows the owner's {', '.join(leaked)}")
    return failures


@pytest.mark.parametrize("actor", ACTORS)
def test_access_matrix(actor, world, actor_client):
    client = actor_client(actor)
    client.raise_request_exception = False  # a 500 is one failure in the list, not the end of the walk
    before = fingerprint(world)
    failures = run_matrix(actor, client, world)
    if actor not in TRUSTED:
        after = fingerprint(world)
        changed = [key for key in before if before[key] != after[key]]
        if changed:
            failures.append(f"{actor} changed the owner's or the city's rows: {changed}")
    assert not failures, f"{len(failures)} answers break the access rules for {actor}:\n" + "\n".join(failures)


# --- groups classified by prefix -----------------------------------------------------------------------------

# The admin's own sign-in, sign-out and translation catalogue answer anybody.
ADMIN_OPEN = {"admin:login", "admin:logout", "admin:jsi18n", "admin:javascript-catalog"}
_ADMIN_KWARGS = {"object_id": "1", "content_type_id": "1", "id": "1", "app_label": "members", "parent_id": "1",
                 "url": "x"}


@pytest.mark.parametrize("actor", ["anonymous", "owner_member", "owner_staff"])
def test_admin_routes_send_everybody_but_superusers_to_the_login(actor, world, actor_client):
    client = actor_client(actor)
    failures = []
    for route in all_routes():
        if route.group != "admin" or route.name.startswith("admin/") or route.name in ADMIN_OPEN:
            continue  # (unnamed admin routes are twins of named ones)
        url = reverse(route.name, kwargs={k: _ADMIN_KWARGS[k] for k in route.kwargs})
        response = client.get(url)
        if not _login_redirect(response):
            failures.append(f"GET {url} [{route.name}]: {response.status_code} {response.get('Location', '')}")
    assert not failures, "\n".join(failures)


def test_allauth_and_public_routes_never_fail_for_anonymous_visitors(world):
    from rest_framework.test import APIClient

    client, failures = APIClient(), []
    for route in all_routes():
        if route.group not in ("allauth", "public") or route.kwargs:
            continue
        response = client.get(reverse(route.name))
        if response.status_code >= 500:
            failures.append(f"GET {reverse(route.name)} [{route.name}]: {response.status_code}")
    assert not failures, "\n".join(failures)


# --- meta-tests: the table covers every route, and nothing else ----------------------------------------------

def _suggest(route: RouteInfo) -> str:
    staff = route.path.startswith(("api/v1/staff/", "console/"))
    has_pk = "pk" in route.kwargs
    kind = ("STAFF_OBJECT" if has_pk else "STAFF_LIST") if staff else ("MEMBER_OBJECT" if has_pk else "MEMBER_SELF")
    methods = " ".join(sorted(route.served_methods() or {"GET"}, key="GET POST PUT PATCH DELETE".split().index))
    extra = ', obj="<world key>"' if has_pk else ""
    others = [k for k in route.kwargs if k != "pk"]
    if others:
        extra += ", kwargs={" + ", ".join(f'"{k}": "<world key>"' for k in others) + "}"
    return f'    "{route.name}": R({kind}, "{methods}"{extra}),  # /{route.path}'


def test_every_route_has_an_entry_in_the_matrix():
    routes = [r for r in all_routes() if r.group is None]
    missing = [r for r in routes if r.name not in ROUTES]
    assert not missing, (
        f"{len(missing)} route(s) have no line in ROUTES in tests/security/test_access_matrix.py. Add one line "
        "per route (check the kind: PUBLIC, AUTH, TOKEN, MEMBER_SELF, MEMBER_OBJECT, STAFF_LIST, STAFF_OBJECT, "
        "STAFF_CREATE; obj= is the world object in tests/security/conftest.py its <pk> names; add that object "
        "to the world if it is new):\n" + "\n".join(_suggest(r) for r in missing))
    stale = sorted(set(ROUTES) - {r.name for r in routes})
    assert not stale, f"ROUTES names routes that no longer exist: {stale}"


def test_the_matrix_tries_every_method_an_api_route_serves():
    routes = {r.name: r for r in all_routes() if r.group is None}
    wrong = []
    for name, entry in ROUTES.items():
        served = routes[name].served_methods() if name in routes else None
        if served is not None and served != set(entry.methods.split()):
            wrong.append(f'"{name}": serves {sorted(served)}, ROUTES lists {entry.methods.split()}')
    assert not wrong, "Fix the methods of these lines in ROUTES:\n" + "\n".join(wrong)


def test_every_object_route_names_its_object():
    routes = {r.name: r for r in all_routes() if r.group is None}
    unnamed = [n for n, e in ROUTES.items() if n in routes and "pk" in routes[n].kwargs and not e.obj]
    assert not unnamed, f"these ROUTES lines need obj=: {unnamed}"
