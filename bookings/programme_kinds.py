"""Notification kinds of recuperation programmes (registered in BookingsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import Kind, register

KINDS = {
    "programme_submitted": Kind(
        title=_("Application received: {programme}"),
        body=_("Your application for {programme} at {sanatorium} from {start} to {end} has been received. Your "
               "union will review it.")),
    "programme_nominated": Kind(
        title=_("You have been nominated: {programme}"),
        body=_("Your union has nominated you for {programme} at {sanatorium} from {start} to {end}. You can "
               "withdraw in the portal if you cannot go.")),
    "programme_approved": Kind(
        title=_("Approved by your union: {programme}"),
        body=_("Your union has approved your application for {programme} from {start} to {end}; the organisers "
               "will confirm it.")),
    "programme_confirmed": Kind(
        title=_("Confirmed: {programme}"),
        body=_("Your place on {programme} at {sanatorium} from {start} to {end} is confirmed."), sms=True),
    "programme_rejected": Kind(
        title=_("Application not approved: {programme}"),
        body=_("Your application for {programme} from {start} to {end} was not approved: {reason}")),
    "programme_cancelled": Kind(
        title=_("Batch cancelled: {programme}"),
        body=_("The batch of {programme} from {start} to {end} has been cancelled ({reason}); your application "
               "is cancelled."), sms=True),
}


def register_all() -> None:
    for name, kind in KINDS.items():
        register(name, kind)
