"""Django admin for superusers: bookings are inspected here and changed in the console or the API.

Seats, waitlists, tickets and the person-times ledger move together only inside bookings.services, so
activities, sessions, bookings and walk-ins are read-only here. A suspension may be ended early (its end
date edited) and a calendar feed revoked (deleted).
"""

from django.contrib import admin

from .models import Activity, Booking, CalendarFeed, Session, Suspension, WalkIn


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "facility", "kind", "category", "price_fen", "waitlist_enabled", "ballot", "published"]
    list_filter = ["kind", "category", "waitlist_enabled", "ballot", "published"]
    search_fields = ["title", "facility__name"]
    list_select_related = ["facility"]


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["activity", "start", "end", "venue", "capacity", "booked", "status"]
    list_filter = ["status"]
    search_fields = ["activity__title", "activity__facility__name"]
    date_hierarchy = "start"
    list_select_related = ["activity", "venue__facility"]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["pk", "member", "session", "seats", "status", "ticket_short", "checked_in_at", "created_at"]
    list_filter = ["status", "attendance", "refund_status", "channel"]
    search_fields = ["member__real_name", "member__member_number", "ticket_short", "session__activity__title"]
    date_hierarchy = "created_at"
    list_select_related = ["member", "session__activity"]
    exclude = ["ticket_code"]  # the QR secret: not shown even to superusers


@admin.register(WalkIn)
class WalkInAdmin(ReadOnlyAdmin):
    list_display = ["facility", "date", "persons", "venue", "session", "recorded_by"]
    list_filter = ["date"]
    search_fields = ["facility__name", "note"]
    list_select_related = ["facility", "venue", "recorded_by"]


@admin.register(Suspension)
class SuspensionAdmin(admin.ModelAdmin):
    list_display = ["member", "starts_at", "ends_at", "reason"]
    search_fields = ["member__real_name", "member__member_number"]
    readonly_fields = ["member", "reason"]  # both dates stay editable so the range constraint is checked

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["member", "created_at"]
    search_fields = ["member__real_name", "member__member_number"]
    exclude = ["token"]
    readonly_fields = ["member"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


from . import admin_programmes  # noqa: E402, F401 - registers the programme models
