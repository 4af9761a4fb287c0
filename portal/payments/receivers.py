"""Listens to the payables' signals: a booking put on hold for payment gets its Payment row at once."""

from __future__ import annotations


def _booking_payment_due(sender, booking, **kwargs) -> None:
    from .services import payment_create_for_booking

    payment_create_for_booking(booking=booking)


def connect() -> None:
    from bookings.signals import payment_due

    payment_due.connect(_booking_payment_due, dispatch_uid="payments.booking_payment_due")
