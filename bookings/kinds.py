"""Notification kinds of the bookings app (registered in BookingsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import Kind, register

KINDS = {
    "session_cancelled": Kind(
        title=_("Cancelled: {activity}"),
        body=_("{activity} at {facility} on {start} has been cancelled ({reason}). "
               "Your booking is cancelled; anything you paid will be refunded."),
        sms=True),
    "session_moved": Kind(
        title=_("Time changed: {activity}"),
        body=_("{activity} at {facility} has moved from {old_start} to {start}. Your booking still holds."),
        sms=True),
    "waitlist_offer": Kind(
        title=_("A seat is free for you: {activity}"),
        body=_("A seat for {activity} at {facility} on {start} is held for you until {until}. "
               "Accept it before then or it passes to the next person."),
        sms=True),
    "waitlist_accepted": Kind(
        title=_("Seat accepted: {activity}"),
        body=_("You accepted the seat for {activity} at {facility} on {start}.")),
    "waitlist_offer_expired": Kind(
        title=_("Offer expired: {activity}"),
        body=_("The seat offered for {activity} on {start} was not accepted in time and has passed on.")),
    "waitlist_closed": Kind(
        title=_("Waitlist closed: {activity}"),
        body=_("The waitlist for {activity} at {facility} on {start} has been closed, so you are no longer "
               "waiting for a seat. You can still book if places are free.")),
    "ballot_withdrawn": Kind(
        title=_("No ballot after all: {activity}"),
        body=_("{activity} at {facility} on {start} will not be drawn by ballot any more, so your registration "
               "is cancelled. Places are now booked first come, first served: book again if you still want "
               "to go.")),
    "booking_hold_expired": Kind(
        title=_("Seat released: {activity}"),
        body=_("Your seat for {activity} on {start} was released because payment did not arrive in time.")),
    "ballot_won": Kind(
        title=_("You have a place: {activity}"),
        body=_("You were drawn for {activity} at {facility} on {start}."), sms=True),
    "ballot_lost": Kind(
        title=_("Not drawn this time: {activity}"),
        body=_("You were not drawn for {activity} on {start}; you are on the waitlist in draw order.")),
    "booking_reminder": Kind(
        title=_("Tomorrow: {activity}"),
        body=_("Reminder: {activity} at {facility} starts at {start}. Show your ticket QR code at the door."),
        sms=True),
    "booking_suspended": Kind(
        title=_("Online booking suspended"),
        body=_("Online booking is suspended until {end} because of {reason}."), sms=True),
}


def register_all() -> None:
    for name, kind in KINDS.items():
        register(name, kind)
