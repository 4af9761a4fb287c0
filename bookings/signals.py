"""Signals other apps listen to, so bookings never imports them (payments plugs in here)."""

from django.dispatch import Signal

# Sent inside the transaction that puts a booking on hold for payment; argument: booking.
payment_due = Signal()

# Sent inside the transaction that puts a sanatorium stay on hold for payment; argument: stay.
stay_payment_due = Signal()
