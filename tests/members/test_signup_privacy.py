"""Issue 7, hole 7: sign-up does not tell whether a resident ID number is registered, and staff see an age band
and the last four characters, never the birth date (which with the last four gives away 12 of 18)."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from portal.members.identity import age_band
from portal.members.models import Member, Role, User, VerificationStatus
from portal.members.services import DUPLICATE_ID_MESSAGE, member_create
from portal.notifications.models import Message
from tests import factories
from tests.frontend.conftest import client_for

REGISTERED, FRESH = factories.VALID_ID_NUMBERS[2], factories.VALID_ID_NUMBERS[3]


@pytest.fixture
def holder(orgs):
    return factories.member(organisation=orgs["unit2"], id_number=REGISTERED, email="first@example.com",
                            real_name="原持有人")


def _html_signup(orgs, *, email: str, phone: str, id_number: str) -> tuple[int, str, str]:
    client = Client()
    data = {"email": email, "phone": phone, "password1": "Strong-pass-2026", "password2": "Strong-pass-2026",
            "real_name": "赵新人", "organisation": orgs["unit"].pk, "id_number": id_number}
    response = client.post("/accounts/signup/", data)
    page = client.get(response["Location"]).content.decode() if response.status_code == 302 else ""
    return response.status_code, response.get("Location", ""), page


def _normalise(text: str, *emails: str) -> str:
    text = re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1CSRF", text)
    for email in emails:
        text = text.replace(email, "EMAIL")
    return text


@pytest.mark.django_db
def test_html_signup_with_a_registered_id_number_answers_like_a_fresh_one(orgs, holder):
    fresh = _html_signup(orgs, email="fresh@example.com", phone="13911110001", id_number=FRESH)
    dup = _html_signup(orgs, email="dup@example.com", phone="13911110002", id_number=REGISTERED)
    assert fresh[:2] == dup[:2] == (302, "/accounts/confirm-email/")
    assert _normalise(fresh[2], "fresh@example.com") == _normalise(dup[2], "dup@example.com")
    # Both got the same verification mail.
    bodies = {m.to[0]: re.sub(r"[A-Z0-9]{4}-[A-Z0-9]{4}", "CODE", m.body) for m in mail.outbox
              if m.to[0] in {"fresh@example.com", "dup@example.com"}}
    assert _normalise(bodies["fresh@example.com"], "fresh@example.com") == _normalise(bodies["dup@example.com"],
                                                                                       "dup@example.com")


@pytest.mark.django_db
def test_app_signup_with_a_registered_id_number_answers_like_a_fresh_one(orgs, holder):
    def signup(email, phone, id_number):
        response = APIClient().post("/_allauth/app/v1/auth/signup", {
            "email": email, "phone": phone, "password": "Strong-pass-2026", "real_name": "赵新人",
            "organisation": orgs["unit"].pk, "id_number": id_number}, format="json")
        body = response.json()
        body.get("meta", {}).pop("session_token", None)
        return response.status_code, _normalise(json.dumps(body, sort_keys=True), email)

    assert signup("fresh@example.com", "13911110001", FRESH) == signup("dup@example.com", "13911110002", REGISTERED)


@pytest.mark.django_db
def test_the_duplicate_is_flagged_for_staff_and_the_holder_is_told(orgs, holder):
    _html_signup(orgs, email="dup@example.com", phone="13911110002", id_number=REGISTERED)
    newcomer = Member.objects.get(user__email="dup@example.com")
    assert newcomer.verification_status == VerificationStatus.PENDING
    assert newcomer.id_number_conflict and newcomer.id_number_hash is None
    assert newcomer.id_number_last4 == REGISTERED[-4:]
    holder.refresh_from_db()
    assert not holder.id_number_conflict and holder.id_number_hash
    told = Message.objects.get(user=holder.user, kind="id_number_claimed")
    assert "dup@example.com" not in told.body and "赵新人" not in told.body
    # A second attempt the same day does not mail the holder again.
    _html_signup(orgs, email="dup2@example.com", phone="13911110003", id_number=REGISTERED)
    assert Message.objects.filter(user=holder.user, kind="id_number_claimed").count() == 1

    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    queue = client_for(officer).get("/console/members/?status=pending", headers={"Accept-Language": "en"})
    assert "ID registered to another account" in queue.content.decode()
    detail = client_for(officer).get(f"/console/members/{newcomer.pk}/").content.decode()
    assert "alert--warn" in detail
    api = factories.sign_in(APIClient(), officer).get(f"/api/v1/staff/members/{newcomer.pk}/").json()
    assert api["id_number_conflict"] is True


@pytest.mark.django_db
def test_a_member_changing_to_a_registered_id_number_is_answered_like_any_change(orgs, holder):
    member = factories.member(organisation=orgs["unit"])
    client = factories.sign_in(APIClient(), member.user)
    response = client.patch("/api/v1/me/", {"id_number": REGISTERED}, format="json")
    assert response.status_code == 200
    assert response.json()["id_number_last4"] == REGISTERED[-4:]
    member.refresh_from_db()
    assert member.id_number_conflict and member.verification_status == VerificationStatus.PENDING
    # Correcting it to their own number clears the flag.
    client.patch("/api/v1/me/", {"id_number": FRESH}, format="json")
    member.refresh_from_db()
    assert not member.id_number_conflict and member.id_number_hash


@pytest.mark.django_db
def test_a_wrong_checksum_is_still_a_field_error(orgs):
    status, _location, _page = _html_signup(orgs, email="typo@example.com", phone="13911110004",
                                            id_number="110101199003074478")
    assert status == 200
    assert not User.objects.filter(email="typo@example.com").exists()


@pytest.mark.django_db
def test_staff_entering_a_registered_number_are_told(orgs, holder):
    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    with pytest.raises(ValidationError) as exc:
        member_create(user=factories.user(), real_name="李四", organisation=orgs["unit"], id_number=REGISTERED,
                      verified_by=officer)
    assert exc.value.message_dict["id_number"] == [DUPLICATE_ID_MESSAGE]


# --- age band instead of the birth date ------------------------------------------------------------------

@pytest.mark.parametrize(("birth", "band"), [
    (date(2010, 6, 2), "under 18"),
    (date(2008, 6, 1), "18–29 years"),  # 18 on the day
    (date(1996, 6, 2), "18–29 years"),  # 29, thirty tomorrow
    (date(1996, 6, 1), "30–39 years"),
    (date(1986, 1, 1), "40–49 years"),
    (date(1966, 6, 2), "50–59 years"),
    (date(1966, 6, 1), "60 and over"),
    (None, ""),
])
def test_age_band(birth, band):
    from django.utils import translation

    with translation.override("en"):
        assert age_band(birth, on=date(2026, 6, 1)) == band


@pytest.mark.django_db
def test_staff_see_the_age_band_and_last_four_never_the_birth_date(orgs):
    member = factories.member(organisation=orgs["unit"], id_number=factories.VALID_ID_NUMBERS[1])  # born 1990-03-07
    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    page = client_for(officer).get(f"/console/members/{member.pk}/").content.decode()
    api = factories.sign_in(APIClient(), officer).get(f"/api/v1/staff/members/{member.pk}/").json()
    for shown in (page, json.dumps(api, ensure_ascii=False)):
        assert "1990" not in shown and "03-07" not in shown and "19900307" not in shown
        assert member.id_number_last4 in shown
        assert member.age_band in shown and member.age_band
    assert "birth_date" not in api
