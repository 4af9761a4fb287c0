"""seed_demo gives member@example.com a payment history through localstripe (and skips it without)."""

import pytest
from django.core.management import call_command

from bookings.models import BookingStatus
from portal.payments.models import Payment, PaymentStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_pays_one_session_and_refunds_another(localstripe):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    payments = {p.booking.session.activity.title: p for p in Payment.objects.filter(
        member__user__email="member@example.com", booking__isnull=False).select_related("booking__session__activity")}
    paid, refunded = payments["油画进阶班"], payments["羽毛球场地开放时段"]
    assert paid.status == PaymentStatus.SUCCEEDED and paid.booking.status == BookingStatus.CONFIRMED
    assert refunded.status == PaymentStatus.REFUNDED and refunded.booking.status == BookingStatus.CANCELLED
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # idempotent
    assert Payment.objects.filter(member__user__email="member@example.com", booking__isnull=False).count() == 2
    # and the demo's mutual-aid contribution awaiting payment (mutualaid/demo.py)
    assert Payment.objects.filter(member__user__email="member@example.com", enrolment__isnull=False).count() == 1


def test_seed_demo_without_localstripe_skips_the_history():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert not Payment.objects.filter(member__user__email="member@example.com", status="succeeded").exists()
