from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from bookings.api import public as bookings_api
from bookings.api import staff as bookings_staff_api
from facilities import api as facilities_api
from portal import converters  # noqa: F401 - registers <token:...>
from portal.api import Router
from portal.health import healthz
from portal.members import api as members_api
from portal.notifications import api as notifications_api

router = Router()
router.register("me/dependants", members_api.DependantViewSet, basename="dependant")
router.register("notifications", notifications_api.MessageViewSet, basename="notification")
router.register("staff/members", members_api.StaffMemberViewSet, basename="staff-member")
router.register("facilities", facilities_api.FacilityViewSet, basename="facility")
router.register("staff/venues", facilities_api.StaffVenueViewSet, basename="staff-venue")
router.register("staff/asset-records", facilities_api.StaffAssetRecordViewSet, basename="staff-asset-record")
router.register("sessions", bookings_api.SessionViewSet, basename="session")
router.register("bookings", bookings_api.BookingViewSet, basename="booking")
router.register("staff/activities", bookings_staff_api.StaffActivityViewSet, basename="staff-activity")
router.register("staff/sessions", bookings_staff_api.StaffSessionViewSet, basename="staff-session")
router.register("staff/checkins", bookings_staff_api.StaffCheckinViewSet, basename="staff-checkin")
router.register("staff/walk-ins", bookings_staff_api.StaffWalkInViewSet, basename="staff-walkin")

api_v1 = [
    path("me/", members_api.MeView.as_view(), name="me"),
    path("organisations/grassroots/", members_api.GrassrootsListView.as_view(), name="grassroots-list"),
    path("booking-suspension/", bookings_api.SuspensionView.as_view(), name="booking-suspension"),
    path("calendar-feed/", bookings_api.CalendarFeedView.as_view(), name="calendar-feed-url"),
    path("staff/facilities/<int:facility_pk>/photos/",
         facilities_api.StaffFacilityPhotoViewSet.as_view({"post": "create"}), name="staff-facility-photos"),
    path("staff/facilities/<int:facility_pk>/photos/<int:pk>/",
         facilities_api.StaffFacilityPhotoViewSet.as_view({"delete": "destroy"}), name="staff-facility-photo"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("calendar/<token:token>.ics", bookings_api.calendar_feed, name="calendar-feed"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("_allauth/", include("allauth.headless.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("frontend.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "frontend.views.not_found"
handler500 = "frontend.views.server_error"
