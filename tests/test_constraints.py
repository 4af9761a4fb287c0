"""Constraints speak to users: every constraint has a translated message on a named field, forms show
field and cross-field errors in one round, and values that make no sense are bounded in the form, the API
and the database."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import CheckConstraint, UniqueConstraint
from django.urls import reverse
from django.utils import timezone

from bookings.models import Activity, Booking, WalkIn
from facilities.models import AssetRecord
from portal import constraints
from portal.members.models import Dependant, Role
from tests import factories
from tests.bookings import builders
from tests.conftest import staff_client
from tests.frontend.conftest import client_for

pytestmark = pytest.mark.django_db

OURS = ("portal.", "bookings.", "facilities.", "mutualaid.", "frontend.")
ALL = [(model, c) for model in apps.get_models() if model.__module__.startswith(OURS)
       for c in model._meta.constraints]


@pytest.mark.parametrize("model,constraint", ALL, ids=[c.name for _m, c in ALL])
def test_every_constraint_has_a_message_a_code_and_a_field(model, constraint):
    assert isinstance(constraint, (CheckConstraint, UniqueConstraint))
    assert constraint.violation_error_message != constraint.default_violation_error_message
    assert "%(name)s" not in str(constraint.violation_error_message)
    assert constraint.violation_error_code
    codes = [c.violation_error_code for c in model._meta.constraints]
    assert codes.count(constraint.violation_error_code) == 1  # codes lead back to one constraint
    field = constraints.FIELDS[constraint.name]
    assert model._meta.get_field(field)


@pytest.fixture
def palace(orgs):
    facility = builders.palace(orgs["city"])
    builders.venue(facility, name="职工书屋", kind="library", capacity=80)
    return facility


@pytest.fixture
def manager(orgs):
    return factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)


def test_constraint_names_come_from_the_database(palace, member):
    activity = builders.activity(palace)
    with pytest.raises(IntegrityError) as check, transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(closes_hours_before=10_000)
    assert constraints.constraint_name(check.value) == "activity_window_opens_before_close"
    error = constraints.integrity_error(check.value)
    assert list(error.message_dict) == ["closes_hours_before"]
    session = builders.session(activity)
    Booking.objects.create(session=session, member=member, seats=1, status="confirmed")
    with pytest.raises(IntegrityError) as unique, transaction.atomic():
        Booking.objects.create(session=session, member=member, seats=1, status="waitlisted")
    assert constraints.constraint_name(unique.value) == "uniq_active_booking_per_member_session"


def test_activity_form_shows_field_and_constraint_errors_in_one_round(manager, palace):
    activity = builders.activity(palace)
    url = reverse("frontend:console:activity_detail", args=[activity.pk])
    form = {"venue": "", "kind": "event", "title": "", "category": "music", "description": "", "price_yuan": "0",
            "min_age": "60", "max_age": "18", "max_seats_per_booking": "1", "max_active_per_week": "",
            "opens_hours_before": "2", "closes_hours_before": "5", "cancel_hours_before": "24",
            "waitlist_enabled": "on", "published": "on"}
    response = client_for(manager).post(url, form)
    html = response.content.decode()
    assert response.status_code == 400
    # the missing title, both constraints, each beside its own field, in the same response
    for field in ("title", "max_age", "closes_hours_before"):
        assert f'id="id_{field}" aria-invalid="true"' in html or f'aria-describedby="id_{field}_error"' in html \
            or f'id="id_{field}_error"' in html, field
    assert "activity_window_opens_before_close" not in html and "activity_age_range" not in html
    assert "约束" not in html
    activity.refresh_from_db()
    assert activity.title == "民族舞基础班" and activity.opens_hours_before == 14 * 24


def test_api_reports_a_constraint_on_its_field(manager, palace):
    activity = builders.activity(palace)
    response = staff_client(manager).patch(f"/api/v1/staff/activities/{activity.pk}/",
                                           {"min_age": 60, "max_age": 18}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["max_age"] and "activity_age_range" not in str(errors)


# --- Values that make no sense -------------------------------------------------------------------------------

def test_walk_in_head_count_is_bounded(manager, palace):
    api = staff_client(manager)
    library = palace.venues.get(name="职工书屋")
    body = {"facility": palace.pk, "persons": 999_999_999}
    huge = api.post("/api/v1/staff/walk-ins/", body, format="json")
    assert huge.status_code == 400 and "persons" in huge.json()["errors"]
    over_room = api.post("/api/v1/staff/walk-ins/", {**body, "persons": 81, "venue": library.pk}, format="json")
    assert over_room.status_code == 400 and "persons" in over_room.json()["errors"]
    ancient = api.post("/api/v1/staff/walk-ins/", {**body, "persons": 5, "date": "0001-01-01"}, format="json")
    assert ancient.status_code == 400 and "date" in ancient.json()["errors"]
    page = client_for(manager).post(reverse("frontend:console:checkin"), {
        "action": "walkin", "facility": palace.pk, "persons": "999999999", "date": "0001-01-01"})
    assert page.status_code == 400
    assert not WalkIn.objects.exists()
    assert api.post("/api/v1/staff/walk-ins/", {**body, "persons": 80, "venue": library.pk},
                    format="json").status_code == 201


def test_the_database_refuses_absurd_values_too(manager, palace, member):
    with pytest.raises(IntegrityError), transaction.atomic():
        WalkIn.objects.create(facility=palace, date=timezone.localdate(), persons=999_999_999, recorded_by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        WalkIn.objects.create(facility=palace, date=date(1, 1, 1), persons=3, recorded_by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dependant.objects.create(member=member, name="古人", relation="parent", birth_date=date(1, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        AssetRecord.objects.create(facility=palace, year=2001, book_value_fen=1, land_area_m2=1, floor_area_m2=1,
                                   year_built=2099, title_status="held", operating_mode="self_run")
    with pytest.raises(IntegrityError), transaction.atomic():
        builders.activity(palace, currency="XXX")


def test_dependant_birth_date_is_bounded(member_api, member):
    ancient = member_api.post("/api/v1/me/dependants/", {"name": "古人", "relation": "parent",
                                                          "birth_date": "0001-01-01"}, format="json")
    assert ancient.status_code == 400 and "birth_date" in ancient.json()["errors"]
    client = client_for(member.user)
    page = client.post(reverse("frontend:dependant_create"), {"name": "古人", "relation": "parent",
                                                               "birth_date": "0001-01-01"})
    assert page.status_code == 400
    assert not member.dependants.exists()


def test_asset_year_built_and_currency_are_bounded(manager, palace):
    api = staff_client(manager)
    body = {"facility": palace.pk, "year": 2001, "book_value_fen": 100, "land_area_m2": "1", "floor_area_m2": "1",
            "year_built": 2099, "title_status": "held", "operating_mode": "self_run"}
    future = api.post("/api/v1/staff/asset-records/", body, format="json")
    assert future.status_code == 400 and "year_built" in future.json()["errors"]
    after_year = api.post("/api/v1/staff/asset-records/", {**body, "year_built": 2005}, format="json")
    assert after_year.status_code == 400 and list(after_year.json()["errors"]) == ["year_built"]
    money = api.post("/api/v1/staff/asset-records/", {**body, "year_built": 1990, "currency": "XXX"},
                     format="json")
    assert money.status_code == 400 and "currency" in money.json()["errors"]
    page = client_for(manager).post(reverse("frontend:console:facility_detail", args=[palace.pk]), {
        "action": "asset", "asset-year": "2001", "asset-book_value_yuan": "-1", "asset-land_area_m2": "1",
        "asset-floor_area_m2": "1", "asset-year_built": "2005", "asset-title_status": "held",
        "asset-operating_mode": "self_run"})
    html = page.content.decode()
    assert page.status_code == 400
    # the negative value and the year built after the record's year, in one round
    assert 'id="id_asset-book_value_yuan_error"' in html and 'id="id_asset-year_built_error"' in html
    assert not AssetRecord.objects.exists()
    ok = api.post("/api/v1/staff/asset-records/", {**body, "year_built": timezone.localdate().year - 30,
                                                   "year": timezone.localdate().year - 1}, format="json")
    assert ok.status_code == 201 and ok.json()["currency"] == "CNY"


def test_walkin_date_in_the_future_keeps_its_message(manager, palace):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = staff_client(manager).post("/api/v1/staff/walk-ins/", {"facility": palace.pk, "persons": 2,
                                                                       "date": tomorrow.isoformat()}, format="json")
    assert response.status_code == 400 and "date" in response.json()["errors"]
