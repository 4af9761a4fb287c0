"""Every write of the bookings app, split by concern; import from here."""

from .ballot import ballot_draw, ballot_order, ballots_due
from .booking import (
    active_suspension,
    booking_cancel,
    booking_create,
    booking_mark_paid,
    booking_paid_late,
    hold_expire,
    holds_expire_due,
)
from .calendar import (
    calendar_feed_get_or_create,
    calendar_feed_revoke,
    calendar_feed_rotate,
    calendar_render,
    reminders_send,
)
from .checkin import checkin, no_shows_mark, sessions_needing_no_shows, walkin_record
from .schedule import (
    activity_create,
    activity_update,
    session_cancel,
    session_change_capacity,
    session_move,
    sessions_generate,
)
from .stays import (
    GuestLine,
    StayQuote,
    stay_cancel,
    stay_check_in,
    stay_check_out,
    stay_create,
    stay_hold_expire,
    stay_holds_expire_due,
    stay_mark_paid,
    stay_paid_late,
    stay_quote,
)
from .waitlist import offer_accept, offer_decline, offer_expire, offers_expire_due, waitlist_offer_next

__all__ = [
    "active_suspension", "activity_create", "activity_update", "ballot_draw", "ballot_order", "ballots_due",
    "booking_cancel", "booking_create", "booking_mark_paid", "booking_paid_late",
    "calendar_feed_get_or_create",
    "calendar_feed_revoke", "calendar_feed_rotate", "calendar_render", "checkin", "hold_expire", "holds_expire_due",
    "no_shows_mark", "offer_accept", "offer_decline", "offer_expire", "offers_expire_due", "reminders_send",
    "session_cancel", "session_change_capacity", "session_move", "sessions_generate",
    "sessions_needing_no_shows", "waitlist_offer_next", "walkin_record",
    # sanatorium stays
    "GuestLine", "StayQuote", "stay_cancel", "stay_check_in", "stay_check_out", "stay_create",
    "stay_hold_expire", "stay_holds_expire_due", "stay_mark_paid", "stay_paid_late", "stay_quote",
]
