"""Listens to the payables' signals: a booking or stay put on hold for payment, or an enrolment awaiting its
contribution, gets its Payment row at once."""

from __future__ import annotations


def _booking_payment_due(sender, booking, **kwargs) -> None:
    from .services import payment_create_for_booking

    payment_create_for_booking(booking=booking)


def _stay_payment_due(sender, stay, **kwargs) -> None:
    from .services import payment_create_for_stay

    payment_create_for_stay(stay=stay)


def _enrolment_payment_due(sender, enrolment, **kwargs) -> None:
    from .services import payment_create_for_enrolment

    payment_create_for_enrolment(enrolment=enrolment)


def connect() -> None:
    from bookings.signals import payment_due, stay_payment_due
    from mutualaid.signals import contribution_due

    payment_due.connect(_booking_payment_due, dispatch_uid="payments.booking_payment_due")
    stay_payment_due.connect(_stay_payment_due, dispatch_uid="payments.stay_payment_due")
    contribution_due.connect(_enrolment_payment_due, dispatch_uid="payments.enrolment_payment_due")
