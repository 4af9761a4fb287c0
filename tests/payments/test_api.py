"""The payments API: a member's own payments, receipts, the test-card confirm, staff refunds; `payment` on bookings."""

import pytest
from rest_framework.test import APIClient

from portal.members.models import Role
from portal.payments import services
from portal.payments.models import Payment, PaymentStatus, Refund
from tests import factories
from tests.conftest import staff_client

pytestmark = pytest.mark.django_db

CARD = {"card_number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 30, "cvc": "123"}


def client_for(user) -> APIClient:
    return factories.sign_in(APIClient(), user)  # staff: password and the TOTP step


def test_every_booking_answer_carries_its_payment(member_api, paid_session, orgs):
    from tests.bookings.builders import activity, palace, session

    created = member_api.post("/api/v1/bookings/", {"session": paid_session.pk}, format="json").json()
    payment = Payment.objects.get(booking_id=created["id"])
    assert created["payment"] == {"id": payment.pk, "status": "pending", "amount_fen": 3000,
                                  "member_share_fen": 3000, "subsidy_fen": 0, "currency": "CNY"}
    listed = member_api.get("/api/v1/bookings/").json()["results"][0]
    assert listed["payment"]["id"] == payment.pk
    assert member_api.get(f"/api/v1/bookings/{created['id']}/").json()["payment"]["status"] == "pending"
    free = session(activity(palace(orgs["city"], name="乙宫")))
    answer = member_api.post("/api/v1/bookings/", {"session": free.pk}, format="json").json()
    assert answer["payment"] is None  # nothing is due


def test_a_member_sees_only_their_own_payments(held, orgs):
    booking, payment = held
    mine = client_for(booking.member.user)
    other = client_for(factories.member(organisation=orgs["unit"]).user)
    assert [p["id"] for p in mine.get("/api/v1/payments/").json()["results"]] == [payment.pk]
    detail = mine.get(f"/api/v1/payments/{payment.pk}/").json()
    assert detail["payable"]["kind"] == "booking" and detail["payable"]["id"] == booking.pk
    assert detail["hold_expires_at"] and detail["status"] == "pending"
    assert other.get("/api/v1/payments/").json()["results"] == []
    assert other.get(f"/api/v1/payments/{payment.pk}/").status_code == 404
    assert other.get(f"/api/v1/payments/{payment.pk}/receipt/").status_code == 404
    assert other.post(f"/api/v1/payments/{payment.pk}/confirm/", CARD, format="json").status_code == 404
    assert APIClient().get("/api/v1/payments/").status_code in (401, 403)


@pytest.mark.parametrize("path", ["/api/v1/payments/AAA/", "/api/v1/payments/1%00/receipt/",
                                  "/api/v1/staff/payments/x/refund/"])
def test_non_numeric_ids_are_404_not_500(member_api, path):
    assert member_api.get(path).status_code == 404


def test_confirm_answers_202_then_409_once_paid_and_the_receipt_appears(localstripe, held):
    booking, payment = held
    api = client_for(booking.member.user)
    assert api.get(f"/api/v1/payments/{payment.pk}/receipt/").status_code == 409
    response = api.post(f"/api/v1/payments/{payment.pk}/confirm/", CARD, format="json")
    assert response.status_code == 202
    assert response.json()["processing"] is True and response.json()["status"] == "pending"
    services.payment_reconcile(payment_id=payment.pk)
    again = api.post(f"/api/v1/payments/{payment.pk}/confirm/", CARD, format="json")
    assert again.status_code == 409 and again.json()["type"] == "already_paid"
    receipt = api.get(f"/api/v1/payments/{payment.pk}/receipt/").json()
    assert receipt["member_share_fen"] == 3000 and receipt["reference"].startswith("ch_")
    assert receipt["union"] == booking.session.activity.facility.organisation.name
    assert receipt["html_url"] == f"/payments/{payment.pk}/receipt/"


def test_a_declined_card_answers_202_with_the_reason(localstripe, held):
    booking, payment = held
    response = client_for(booking.member.user).post(f"/api/v1/payments/{payment.pk}/confirm/", {
        **CARD, "card_number": "4000000000000002"}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "failed" and body["failure_code"] == "card_declined" and body["failure_reason"]


@pytest.mark.parametrize("body, fields", [
    ({}, {"card_number", "exp_month", "exp_year", "cvc"}),
    ({**CARD, "card_number": "4242-4242"}, {"card_number"}),
    ({**CARD, "exp_month": 13, "cvc": "12"}, {"exp_month", "cvc"}),
    ({**CARD, "exp_year": "soon"}, {"exp_year"}),
])
def test_bad_card_input_is_400_with_the_fields_named(held, body, fields):
    booking, payment = held
    response = client_for(booking.member.user).post(f"/api/v1/payments/{payment.pk}/confirm/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == fields
    assert Payment.objects.get(pk=payment.pk).attempts == 0


def test_confirm_is_404_with_live_keys(held, settings):
    booking, payment = held
    settings.STRIPE_SECRET_KEY = "sk_live_abc"
    response = client_for(booking.member.user).post(f"/api/v1/payments/{payment.pk}/confirm/", CARD, format="json")
    assert response.status_code == 404


@pytest.fixture
def paid(localstripe, held):
    booking, payment = held
    services.payment_confirm_test_card(member=booking.member, payment_id=payment.pk, card_number="4242424242424242",
                                       exp_month=12, exp_year=2030, cvc="123")
    services.payment_reconcile(payment_id=payment.pk)
    return booking, Payment.objects.get(pk=payment.pk)


def test_staff_refund_api(paid, orgs):
    booking, payment = paid
    manager = staff_client(factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER))
    url = f"/api/v1/staff/payments/{payment.pk}/refund/"
    first = manager.post(url, {"amount_fen": 500, "reason": "设备故障"}, format="json")
    assert first.status_code == 201 and first.json()["amount_fen"] == 500
    assert manager.post(url, {"amount_fen": 500, "reason": "设备故障"}, format="json").status_code == 200
    assert Refund.objects.count() == 1
    bad = manager.post(url, {"amount_fen": "lots", "reason": ""}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"amount_fen", "reason"}
    too_much = manager.post(url, {"amount_fen": 2501, "reason": "再退"}, format="json")
    assert too_much.status_code == 400 and "amount_fen" in too_much.json()["errors"]
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PARTIALLY_REFUNDED
    listed = manager.get("/api/v1/staff/payments/", {"status": "partially_refunded"}).json()["results"]
    assert [p["id"] for p in listed] == [payment.pk]
    assert manager.get("/api/v1/staff/payments/", {"status": "nope", "start": "2026-13-45"}).status_code == 400


def test_staff_refund_is_scoped(paid, orgs):
    booking, payment = paid
    url = f"/api/v1/staff/payments/{payment.pk}/refund/"
    sibling = staff_client(factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER))
    officer = staff_client(factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER))
    assert sibling.post(url, {"amount_fen": 100, "reason": "x"}, format="json").status_code == 404
    assert officer.post(url, {"amount_fen": 100, "reason": "x"}, format="json").status_code == 403
    assert client_for(booking.member.user).post(url, {"amount_fen": 100, "reason": "x"},
                                                format="json").status_code == 403
    assert sibling.get("/api/v1/staff/payments/").json()["results"] == []
    assert not Refund.objects.exists()
