"""Notification kinds of sanatorium stays (registered in BookingsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import Kind, register

KINDS = {
    "stay_confirmed": Kind(
        title=_("Stay confirmed: {facility}"),
        body=_("Your stay at {facility} ({room_type}, {rooms} rooms) from {check_in} to {check_out} is confirmed. "
               "You pay {share}; the union pays {subsidy}."),
        sms=True),
    "stay_cancelled": Kind(
        title=_("Stay cancelled: {facility}"),
        body=_("Your stay at {facility} from {check_in} to {check_out} is cancelled. Anything you paid will be "
               "refunded.")),
    "stay_hold_expired": Kind(
        title=_("Stay not paid in time: {facility}"),
        body=_("The rooms held for your stay at {facility} from {check_in} to {check_out} were not paid in time "
               "and have been released.")),
}


def register_all() -> None:
    for name, kind in KINDS.items():
        register(name, kind)
