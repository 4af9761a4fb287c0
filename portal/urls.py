from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from portal.health import healthz
from portal.members import api as members_api
from portal.notifications import api as notifications_api

router = DefaultRouter()
router.register("me/dependants", members_api.DependantViewSet, basename="dependant")
router.register("notifications", notifications_api.MessageViewSet, basename="notification")
router.register("staff/members", members_api.StaffMemberViewSet, basename="staff-member")

api_v1 = [
    path("me/", members_api.MeView.as_view(), name="me"),
    path("organisations/grassroots/", members_api.GrassrootsListView.as_view(), name="grassroots-list"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
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
