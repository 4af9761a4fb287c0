import re

from allauth.headless.constants import Client
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from bookings.api import programmes as programmes_api
from bookings.api import programmes_staff as programmes_staff_api
from bookings.api import public as bookings_api
from bookings.api import staff as bookings_staff_api
from bookings.api import stays as stays_api
from facilities import api as facilities_api
from facilities import api_rooms as rooms_api
from frontend.views import mfa as mfa_views
from mutualaid.api import public as mutualaid_api
from mutualaid.api import staff as mutualaid_staff_api
from mutualaid.roster import api as roster_api
from portal import converters  # noqa: F401 - registers <token:...> and <id:...>
from portal.api import Router
from portal.audit import api as audit_api
from portal.health import healthz
from portal.members import api as members_api
from portal.members.headless import StaffGuardedTOTPView
from portal.notifications import api as notifications_api
from portal.payments import api as payments_api
from portal.stats.api import views as stats_api
from portal.uploads import media_view

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
router.register("programmes", programmes_api.ProgrammeViewSet, basename="programme")
router.register("applications", programmes_api.ApplicationViewSet, basename="application")
router.register("staff/programmes", programmes_staff_api.StaffProgrammeViewSet, basename="staff-programme")
router.register("staff/batches", programmes_staff_api.StaffBatchViewSet, basename="staff-batch")
router.register("staff/allocations", programmes_staff_api.StaffAllocationViewSet, basename="staff-allocation")
router.register("staff/applications", programmes_staff_api.StaffApplicationViewSet, basename="staff-application")
router.register("stays", stays_api.StayViewSet, basename="stay")
router.register("staff/stays", stays_api.StaffStayViewSet, basename="staff-stay")
router.register("staff/room-types", rooms_api.StaffRoomTypeViewSet, basename="staff-room-type")
router.register("payments", payments_api.PaymentViewSet, basename="payment")
router.register("staff/payments", payments_api.StaffPaymentViewSet, basename="staff-payment")
router.register("schemes", mutualaid_api.SchemeViewSet, basename="scheme")
router.register("enrolments", mutualaid_api.EnrolmentViewSet, basename="enrolment")
router.register("claims", mutualaid_api.ClaimViewSet, basename="claim")
router.register("staff/schemes", mutualaid_staff_api.StaffSchemeViewSet, basename="staff-scheme")
router.register("staff/enrolments", mutualaid_staff_api.StaffEnrolmentViewSet, basename="staff-enrolment")
router.register("staff/claims", mutualaid_staff_api.StaffClaimViewSet, basename="staff-claim")
router.register("staff/rosters", roster_api.StaffRosterViewSet, basename="staff-roster")
router.register("staff/targets", stats_api.StaffTargetViewSet, basename="staff-target")
router.register("exports", stats_api.ExportViewSet, basename="stats-export")
router.register("export-templates", stats_api.ExportTemplateViewSet, basename="stats-export-template")

api_v1 = [
    path("me/", members_api.MeView.as_view(), name="me"),
    path("me/access-log/", audit_api.MyAccessLogView.as_view(), name="me-access-log"),
    path("organisations/grassroots/", members_api.GrassrootsListView.as_view(), name="grassroots-list"),
    path("booking-suspension/", bookings_api.SuspensionView.as_view(), name="booking-suspension"),
    path("calendar-feed/", bookings_api.CalendarFeedView.as_view(), name="calendar-feed-url"),
    path("certificates/<str:code>/", mutualaid_api.CertificateView.as_view(), name="certificate-verify"),
    path("staff/scheme-dashboard/", mutualaid_staff_api.StaffSchemeDashboardView.as_view(),
         name="staff-scheme-dashboard"),
    path("staff/facilities/<id:facility_pk>/photos/",
         facilities_api.StaffFacilityPhotoViewSet.as_view({"post": "create"}), name="staff-facility-photos"),
    path("staff/facilities/<id:facility_pk>/photos/<id:pk>/",
         facilities_api.StaffFacilityPhotoViewSet.as_view({"delete": "destroy"}), name="staff-facility-photo"),
    path("staff/facilities/<id:facility_pk>/stay-policy/", rooms_api.StaffStayPolicyView.as_view(),
         name="staff-stay-policy"),
    path("staff/room-types/<id:room_type_pk>/photos/",
         rooms_api.StaffRoomTypePhotoViewSet.as_view({"post": "create"}), name="staff-room-type-photos"),
    path("staff/room-types/<id:room_type_pk>/photos/<id:pk>/",
         rooms_api.StaffRoomTypePhotoViewSet.as_view({"delete": "destroy"}), name="staff-room-type-photo"),
    path("stats/summary/", stats_api.SummaryView.as_view(), name="stats-summary"),
    path("stats/service-per-asset/", stats_api.ServicePerAssetView.as_view(), name="stats-service-per-asset"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("calendar/<token:token>.ics", bookings_api.calendar_feed, name="calendar-feed"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file (no inline script); Swagger UI's page keeps one
    # inline <style>, so this page alone allows inline styles.
    path("api/docs/", csp_update({"style-src": ["'unsafe-inline'"]})(
        SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    # Before allauth's own: a staff account's first TOTP needs the emailed code (portal/members/mfa.py).
    path("_allauth/app/v1/account/authenticators/totp", StaffGuardedTOTPView.as_api_view(client=Client.APP),
         name="staff-guarded-totp-app"),
    path("_allauth/browser/v1/account/authenticators/totp",
         StaffGuardedTOTPView.as_api_view(client=Client.BROWSER), name="staff-guarded-totp-browser"),
    path("_allauth/", include("allauth.headless.urls")),
    path("accounts/2fa/totp/activate/", mfa_views.activate_totp, name="staff-guarded-totp-activate"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("webhooks/stripe/", payments_api.stripe_webhook, name="stripe-webhook"),
    path("", include("frontend.urls")),
]
if settings.DEBUG or getattr(settings, "SERVE_MEDIA", False):
    # Development and tests only; in production the proxy serves /media/public/ with the same headers
    # (docs/operations.md).
    urlpatterns.append(re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", media_view,
                               name="media"))

if settings.BENCH_BARE_VIEW:
    # Benchmarks only (production.py refuses the setting): the middleware stack alone, before the pages'
    # catch-all routes.
    from portal.bench_views import bare

    urlpatterns.insert(0, path("bench/bare/", bare, name="bench-bare"))

handler404 = "frontend.views.not_found"
handler500 = "frontend.views.server_error"
handler429 = "portal.ratelimits.handler429"  # read by allauth's rate limits
