"""Member profile (`/api/v1/me/`), grassroots lookup and the staff verification queue."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response

from portal.filters import query
from portal.privacy import mask_phone
from portal.serializers import ModelSerializer, Serializer

from . import mfa, permissions, selectors, services
from .filters import GrassrootsFilter, StaffMemberFilter
from .models import Dependant, Member, Organisation
from .validators import validate_person_name


class StaffAccess(BasePermission):
    """Staff API: a role grant and a sign-in that passed TOTP (the app token's session or the browser's);
    object checks go through permissions.can()."""

    message = _("The staff API needs a staff role with two-factor authentication enrolled.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated
                    and permissions.has_staff_access(user, session=mfa.request_session(request)))


class OrganisationSerializer(ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "level", "region_code"]


class DependantSerializer(ModelSerializer):
    class Meta:
        model = Dependant
        fields = ["id", "name", "relation", "birth_date"]


class MeSerializer(Serializer):
    """Read: the whole profile. Write: only the fields a member may change themselves."""

    id = serializers.IntegerField(source="member.id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    phone = serializers.CharField(source="user.phone", required=False, allow_blank=True, allow_null=True)
    language = serializers.ChoiceField(source="user.language", choices=[("", "")] + list(settings.LANGUAGES),
                                       required=False)
    member_number = serializers.CharField(source="member.member_number", read_only=True)
    real_name = serializers.CharField(source="member.real_name", max_length=50, required=False,
                                      validators=[validate_person_name])
    organisation = serializers.PrimaryKeyRelatedField(source="member.organisation", required=False,
                                                      queryset=Organisation.objects.all())
    organisation_name = serializers.CharField(source="member.organisation.name", read_only=True)
    id_number = serializers.CharField(write_only=True, required=False, max_length=18)
    id_number_last4 = serializers.CharField(source="member.id_number_last4", read_only=True)
    birth_date = serializers.DateField(source="member.birth_date", read_only=True, allow_null=True)
    model_worker_level = serializers.CharField(source="member.model_worker_level", read_only=True)
    skilled_worker = serializers.BooleanField(source="member.skilled_worker", read_only=True)
    frontline = serializers.BooleanField(source="member.frontline", read_only=True)
    retiree = serializers.BooleanField(source="member.retiree", read_only=True)
    gig_worker = serializers.BooleanField(source="member.gig_worker", read_only=True)
    verification_status = serializers.CharField(source="member.verification_status", read_only=True)
    rejection_reason = serializers.CharField(source="member.rejection_reason", read_only=True)
    dependants = DependantSerializer(source="member.dependants", many=True, read_only=True)
    is_staff_member = serializers.SerializerMethodField()

    def get_is_staff_member(self, obj) -> bool:
        return permissions.is_staff_member(obj["user"])


def _profile(request) -> dict:
    return {"user": request.user, "member": selectors.member_require(user=request.user)}


@extend_schema(tags=["me"])
class MeView(generics.GenericAPIView):
    serializer_class = MeSerializer

    def get(self, request):
        return Response(MeSerializer(_profile(request)).data)

    def patch(self, request):
        profile = _profile(request)
        serializer = MeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {**serializer.validated_data.get("member", {}), **serializer.validated_data.get("user", {})}
        if "id_number" in serializer.validated_data:
            data["id_number"] = serializer.validated_data["id_number"]
        member = services.member_update_profile(member=profile["member"], data=data)
        request.user.refresh_from_db()
        fresh = selectors.member_for_user(user=member.user)
        return Response(MeSerializer({"user": request.user, "member": fresh}).data)


@extend_schema(tags=["me"])
class DependantViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                       viewsets.GenericViewSet):
    serializer_class = DependantSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Dependant.objects.none()
        return selectors.dependant_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dependant = services.dependant_add(member=_profile(request)["member"], **serializer.validated_data)
        return Response(DependantSerializer(dependant).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.dependant_remove(member=_profile(request)["member"], dependant_id=kwargs["pk"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["organisations"])
class GrassrootsListView(generics.ListAPIView):
    """Public: the grassroots unions a newcomer can choose at sign-up (`?search=`)."""

    permission_classes = [AllowAny]
    serializer_class = OrganisationSerializer
    filterset_class = GrassrootsFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organisation.objects.none()
        return selectors.grassroots_list(**query(GrassrootsFilter, self.request))


class StaffMemberSerializer(ModelSerializer):
    email = serializers.EmailField(source="user.email")
    phone = serializers.CharField(source="user.phone", allow_null=True)
    organisation = OrganisationSerializer()
    age_band = serializers.CharField(
        read_only=True, help_text="Age band such as 30–39 years (staff never see the birth date); empty without an ID.")
    id_number_conflict = serializers.BooleanField(
        read_only=True, help_text="The ID number given is already registered to another account.")

    class Meta:
        model = Member
        fields = ["id", "member_number", "real_name", "email", "phone", "organisation", "id_number_last4",
                  "age_band", "id_number_conflict", "model_worker_level", "skilled_worker", "frontline", "retiree",
                  "gig_worker", "verification_status", "verified_at", "rejection_reason", "created_at"]


class MaskedPhoneField(serializers.CharField):
    """A phone in a list: 138****0001 (portal.privacy); the member's own page shows it in full."""

    def to_representation(self, value) -> str:
        return mask_phone(value)


class StaffMemberListSerializer(StaffMemberSerializer):
    phone = MaskedPhoneField(source="user.phone", allow_null=True, read_only=True)


class RejectSerializer(Serializer):
    reason = serializers.CharField(max_length=300)


@extend_schema(tags=["staff"])
class StaffMemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Members in the staff user's subtrees, and the verification queue."""

    permission_classes = [StaffAccess]
    serializer_class = StaffMemberSerializer
    filterset_class = StaffMemberFilter

    def get_serializer_class(self):
        return StaffMemberListSerializer if self.action == "list" else StaffMemberSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Member.objects.none()
        filters = query(StaffMemberFilter, self.request)
        return selectors.member_list_for_staff(actor=self.request.user, organisation=filters["org"],
                                               status=filters["status"] or None)

    def retrieve(self, request, *args, **kwargs):
        return Response(StaffMemberSerializer(
            selectors.member_get_for_staff(actor=request.user, member_id=int(kwargs["pk"]))).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        member = services.member_verify(actor=request.user, member_id=int(pk))
        return Response(StaffMemberSerializer(member).data)

    @extend_schema(request=RejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = services.member_reject(actor=request.user, member_id=int(pk),
                                        reason=serializer.validated_data["reason"])
        return Response(StaffMemberSerializer(member).data)
