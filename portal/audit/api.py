"""`GET /api/v1/me/access-log/`: who among the union's staff opened the member's records, and when."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from portal.errors import NotFound
from portal.members.selectors import member_for_user

from . import presentation
from .models import AuditEvent
from .selectors import access_log_for_member


class AccessLogEntrySerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="created_at")
    staff_name = serializers.SerializerMethodField()
    staff_role = serializers.CharField(source="actor_role")
    staff_role_label = serializers.SerializerMethodField()
    staff_organisation = serializers.CharField(source="actor_organisation.name", default="")
    what = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["at", "staff_name", "staff_role", "staff_role_label", "staff_organisation", "what"]

    def get_staff_name(self, event) -> str:
        return presentation.staff_name(event)

    def get_staff_role_label(self, event) -> str:
        return presentation.staff_role(event)

    def get_what(self, event) -> str:
        return presentation.access_context(event)


@extend_schema(tags=["me"])
class MyAccessLogView(generics.ListAPIView):
    """Staff who opened the signed-in member's record or saw them on a session roster, newest first."""

    serializer_class = AccessLogEntrySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return AuditEvent.objects.none()
        member = member_for_user(user=self.request.user)
        if member is None:
            raise NotFound(_("This account has no member profile."))
        return access_log_for_member(member=member)
