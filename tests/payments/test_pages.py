"""Member payment pages and the console payments page, rendered by the real views."""

import pytest
from django.test import Client

from portal.members.models import Member, Role
from portal.payments import services
from portal.payments.declines import DECLINED
from portal.payments.models import Payment, PaymentStatus, Refund
from tests import factories

pytestmark = pytest.mark.django_db

CARD = {"card_number": "4242 4242 4242 4242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}


def browser(user) -> Client:
    return factories.sign_in(Client(), user)  # staff: password and the TOTP step


def test_the_booking_page_offers_pay_and_the_pay_page_shows_the_amounts(held):
    booking, payment = held
    page = browser(booking.member.user)
    detail = page.get(f"/bookings/{booking.pk}/").content.decode()
    assert f'href="/payments/{payment.pk}/"' in detail
    assert "js.stripe.com" not in detail  # Stripe's script is on the payment page only
    pay = page.get(f"/payments/{payment.pk}/").content.decode()
    assert "¥30.00" in pay and "¥0.00" in pay  # amount, union subsidy, member share
    assert 'data-testid="test-card-form"' in pay and "测试模式" in pay  # the test-mode label, in the default language
    assert "js.stripe.com" not in pay  # test mode: no external script at all


def test_paying_with_the_test_card_shows_processing_then_confirmed(localstripe, held):
    booking, payment = held
    page = browser(booking.member.user)
    response = page.post(f"/payments/{payment.pk}/", CARD)
    assert response.status_code == 302 and response["Location"] == f"/payments/{payment.pk}/status/"
    status = page.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in status  # htmx polls ...
    assert f'href="/payments/{payment.pk}/status/"' in status  # ... and a plain link refreshes without JS
    services.payment_reconcile(payment_id=payment.pk)
    fragment = page.get(f"/payments/{payment.pk}/status/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="succeeded"' in fragment and "hx-trigger" not in fragment
    assert "<html" not in fragment  # htmx gets the panel only
    assert f'href="/bookings/{booking.pk}/"' in fragment
    ticket = page.get(f"/bookings/{booking.pk}/").content.decode()
    assert "ticket-code" in ticket and f"/payments/{payment.pk}/receipt/" in ticket


def test_a_declined_card_shows_the_reason_and_a_retry(localstripe, held):
    booking, payment = held
    page = browser(booking.member.user)
    page.post(f"/payments/{payment.pk}/", {**CARD, "card_number": "4000 0000 0000 0002"})
    status = page.get(f"/payments/{payment.pk}/status/").content.decode()
    assert str(DECLINED) in status
    assert f'href="/payments/{payment.pk}/"' in status  # try again while the seat is held
    assert "Your card was declined." not in status.replace(str(DECLINED), "")  # not Stripe's own text


def test_bad_card_input_is_a_400_with_field_errors(held):
    booking, payment = held
    response = browser(booking.member.user).post(f"/payments/{payment.pk}/", {"card_number": "abc", "cvc": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"card_number", "exp_month", "exp_year", "cvc"}
    assert Payment.objects.get(pk=payment.pk).attempts == 0


def test_someone_elses_payment_pages_are_404(held, orgs):
    booking, payment = held
    other = browser(factories.member(organisation=orgs["unit"]).user)
    for path in ("", "status/", "receipt/"):
        assert other.get(f"/payments/{payment.pk}/{path}").status_code == 404
    assert other.post(f"/payments/{payment.pk}/", CARD).status_code == 404


def test_production_loads_the_payment_element_from_stripe_only_on_that_page(localstripe, held, settings):
    booking, payment = held
    settings.STRIPE_TEST_MODE = False
    response = browser(booking.member.user).get(f"/payments/{payment.pk}/")
    html = response.content.decode()
    assert '<script src="https://js.stripe.com/v3/"' in html and 'data-client-secret="pi_' in html
    assert "test-card-form" not in html
    assert "https://js.stripe.com" in response._csp_update["script-src"]  # django-csp's per-view allowance


def test_the_receipt_prints_the_union_payable_amounts_and_reference(localstripe, held):
    booking, payment = held
    page = browser(booking.member.user)
    assert page.get(f"/payments/{payment.pk}/receipt/").status_code == 302  # not paid yet
    page.post(f"/payments/{payment.pk}/", CARD)
    services.payment_reconcile(payment_id=payment.pk)
    payment.refresh_from_db()
    html = page.get(f"/payments/{payment.pk}/receipt/").content.decode()
    assert booking.session.activity.facility.organisation.name in html
    assert booking.session.activity.title in html and "¥30.00" in html and payment.stripe_charge_id in html
    assert "data-print" in html
    assert f"/payments/{payment.pk}/receipt/" in page.get("/payments/").content.decode()


@pytest.fixture
def paid(localstripe, held):
    booking, payment = held
    services.payment_confirm_test_card(member=booking.member, payment_id=payment.pk, card_number="4242424242424242",
                                       exp_month=12, exp_year=2030, cvc="123")
    services.payment_reconcile(payment_id=payment.pk)
    return booking, Payment.objects.get(pk=payment.pk)


def test_console_payments_totals_filters_csv_and_refund(paid, orgs):
    booking, payment = paid
    Member.objects.filter(pk=booking.member_id).update(real_name="=HYPERLINK(1)")
    manager = browser(factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER))
    page = manager.get("/console/payments/")
    html = page.content.decode()
    assert page.status_code == 200 and "¥30.00" in html
    assert f"/console/payments/{payment.pk}/refund/" in html
    assert manager.get("/console/payments/", {"status": "cancelled"}).context["rows"] == []
    assert manager.get("/console/payments/", {"start": "2026-13-45", "status": "x"}).status_code == 400
    assert manager.get("/console/payments/", {"start": "2030-01-02", "end": "2030-01-01"}).status_code == 400
    csv_text = manager.get("/console/payments.csv").content.decode("utf-8-sig")
    assert "30.00" in csv_text and "'=HYPERLINK(1)" in csv_text
    refund_page = manager.get(f"/console/payments/{payment.pk}/refund/")
    assert refund_page.status_code == 200
    bad = manager.post(f"/console/payments/{payment.pk}/refund/", {"amount_yuan": "99", "reason": ""})
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"amount_yuan", "reason"}
    done = manager.post(f"/console/payments/{payment.pk}/refund/", {"amount_yuan": "10.50", "reason": "停电"})
    assert done.status_code == 302
    assert Refund.objects.get().amount_fen == 1050
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PARTIALLY_REFUNDED


def test_console_payments_are_scoped_and_refunds_need_the_right(paid, orgs):
    booking, payment = paid
    sibling = browser(factories.staff(organisation=orgs["sibling"], role=Role.FACILITY_MANAGER))
    assert sibling.get("/console/payments/").context["rows"] == []
    assert sibling.get(f"/console/payments/{payment.pk}/refund/").status_code == 404
    officer = browser(factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER))
    html = officer.get("/console/payments/").content.decode()
    assert "¥30.00" in html and "/refund/" not in html
    assert officer.get(f"/console/payments/{payment.pk}/refund/").status_code == 403
    assert browser(booking.member.user).get("/console/payments/").status_code == 403


def test_the_roster_shows_each_bookings_payment_state(paid, orgs):
    booking, payment = paid
    manager = browser(factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER))
    html = manager.get(f"/console/sessions/{booking.session_id}/roster/").content.decode()
    assert str(PaymentStatus.SUCCEEDED.label) in html
