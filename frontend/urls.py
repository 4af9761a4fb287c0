from django.urls import include, path

from .views import audit, bookings, console, console_facilities, console_palaces, inbox, member, palaces, prefs

app_name = "frontend"

console_patterns = ([
    path("", console.today, name="today"),
    path("members/", console.members, name="members"),
    path("members/<int:pk>/", console.member_detail, name="member_detail"),
    path("members/<int:pk>/verify/", console.member_verify_view, name="member_verify"),
    path("members/<int:pk>/reject/", console.member_reject_view, name="member_reject"),
    path("facilities/", console_facilities.facilities, name="facilities"),
    path("facilities/new/", console_facilities.facility_create, name="facility_create"),
    path("facilities/<int:pk>/", console_facilities.facility_detail, name="facility_detail"),
    path("facilities/<int:pk>/edit/", console_facilities.facility_edit, name="facility_edit"),
    path("venues/<int:pk>/", console_facilities.venue_detail, name="venue_detail"),
    path("assets/<int:pk>/", console_facilities.asset_detail, name="asset_detail"),
    path("photos/<int:pk>/delete/", console_facilities.photo_delete, name="photo_delete"),
    path("activities/", console_palaces.activities, name="activities"),
    path("activities/new/", console_palaces.activity_create, name="activity_create"),
    path("activities/<int:pk>/", console_palaces.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/schedule/", console_palaces.activity_schedule, name="activity_schedule"),
    path("sessions/", console_palaces.session_calendar, name="session_calendar"),
    path("sessions/<int:pk>/", console_palaces.session_detail, name="session_detail"),
    path("sessions/<int:pk>/roster/", console_palaces.session_roster, name="session_roster"),
    path("sessions/<int:pk>/roster.csv", console_palaces.session_roster, {"fmt": "csv"}, name="session_roster_csv"),
    path("checkin/", console_palaces.checkin, name="checkin"),
    path("audit/", audit.audit_log, name="audit"),
], "console")

urlpatterns = [
    path("", member.home, name="home"),
    path("me/", member.profile, name="profile"),
    path("me/edit/", member.profile_edit, name="profile_edit"),
    path("me/dependants/", member.dependant_create, name="dependant_create"),
    path("me/dependants/<int:pk>/delete/", member.dependant_delete, name="dependant_delete"),
    path("me/access-log/", audit.my_access_log, name="access_log"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read-all/", inbox.message_read_all, name="message_read_all"),
    path("inbox/<int:pk>/read/", inbox.message_read, name="message_read"),
    path("palaces/", palaces.palace_list, name="palaces"),
    path("palaces/<int:pk>/", palaces.palace_detail, name="palace_detail"),
    path("sessions/<int:pk>/book/", palaces.session_book, name="session_book"),
    path("bookings/", bookings.booking_list, name="booking_list"),
    path("bookings/<int:pk>/", bookings.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/calendar.ics", bookings.booking_ics, name="booking_ics"),
    path("bookings/<int:pk>/cancel/", bookings.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/accept/", bookings.offer_accept, name="offer_accept"),
    path("bookings/<int:pk>/decline/", bookings.offer_decline, name="offer_decline"),
    path("me/calendar/", bookings.calendar_feed, name="calendar_feed"),
    path("prefs/language/", prefs.set_language, name="set_language"),
    path("prefs/text-size/", prefs.set_text_size, name="set_text_size"),
]
urlpatterns += [path("console/", include(console_patterns))]
