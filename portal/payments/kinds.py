"""Notification kinds of the payments app (registered in PaymentsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import Kind, register

KINDS = {
    "payment_received": Kind(
        title=_("Payment received: {activity}"),
        body=_("We received {amount} for {activity} at {facility} on {start}. Your ticket is ready.")),
    "payment_received_contribution": Kind(
        title=_("Contribution received: {activity}"),
        body=_("We received your contribution of {amount} to {activity} ({facility}). Cover starts on {start}.")),
    "payment_late_confirmed": Kind(
        title=_("Payment received late: {activity}"),
        body=_("Your payment of {amount} arrived after the seat hold had ended, but the seat was still free: "
               "your booking for {activity} on {start} is confirmed."), sms=True),
    "payment_late_refunded": Kind(
        title=_("Payment refunded: {activity}"),
        body=_("Your payment of {amount} arrived after the seat hold had ended and the seat has gone to someone "
               "else. The full amount is refunded to you; it reaches your account in a few working days."),
        sms=True),
    "payment_refunded": Kind(
        title=_("Refund: {activity}"),
        body=_("{amount} has been refunded for {activity} on {start}. It reaches your account in a few "
               "working days.")),
}


def register_all() -> None:
    for name, kind in KINDS.items():
        register(name, kind)
