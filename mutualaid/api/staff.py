"""Staff API of mutual aid: schemes (set up, change, dashboard), enrolment lists and exports, the claims
queue with the review actions. Scoped to the officer's subtrees; a claim elsewhere is 404."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import exports
from portal.errors import NotFound, NotPermitted
from portal.filters import query
from portal.members import permissions
from portal.members.api import StaffAccess
from portal.members.models import Organisation
from portal.members.permissions import Action
from portal.uploads import private_file_response

from .. import selectors, services
from ..filters import StaffClaimFilter, StaffEnrolmentFilter, StaffSchemeFilter
from ..models import Scheme
from .serializers import (
    ApproveSerializer,
    ExportQuerySerializer,
    MessageBodySerializer,
    PaidBodySerializer,
    ReasonBodySerializer,
    SchemeFiguresSerializer,
    StaffClaimSerializer,
    StaffEnrolmentSerializer,
    StaffSchemeSerializer,
)

STAFF_DOCUMENTS = "/api/v1/staff/claims"


def _in_scope(user, action: Action, model, pk: int | None, field: str) -> int | None:
    """A filter naming a scheme or union outside the officer's subtrees is refused (403), like other staff
    lists; one that does not exist gets the same answer, so the answer tells nothing about other unions."""
    if pk is None:
        return None
    target = model.objects.filter(pk=pk).first()
    if target is None or not permissions.can(user, action, target):
        raise NotPermitted(_("You can only filter on schemes and unions you manage."), errors={
            field: [_("Choose one of yours.")]})
    return pk


@extend_schema(tags=["staff"])
class StaffSchemeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         mixins.UpdateModelMixin, viewsets.GenericViewSet):
    permission_classes = [StaffAccess]
    serializer_class = StaffSchemeSerializer
    filterset_class = StaffSchemeFilter

    def get_queryset(self):
        filters = query(StaffSchemeFilter, self.request) if self.action == "list" else {}
        return selectors.schemes_for_staff(actor=self.request.user, status=filters.get("status") or None,
                                           kind=filters.get("kind") or None)

    def create(self, request, *args, **kwargs):
        serializer = StaffSchemeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation")
        if not permissions.can(request.user, Action.MANAGE_SCHEME, organisation):
            raise NotFound()
        scheme = services.scheme_create(actor=request.user, organisation=organisation, **data)
        return Response(StaffSchemeSerializer(scheme).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        scheme = self.get_object()
        serializer = StaffSchemeSerializer(scheme, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "organisation"}
        return Response(StaffSchemeSerializer(services.scheme_update(actor=request.user, scheme=scheme,
                                                                     data=data)).data)


@extend_schema(tags=["staff"], responses=SchemeFiguresSerializer(many=True))
class StaffSchemeDashboardView(APIView):
    """Per scheme in your unions: members covered, contributions collected, claims paid, loss ratio, alert."""

    permission_classes = [StaffAccess]

    def get(self, request):
        rows = selectors.scheme_dashboard(actor=request.user)
        return Response(SchemeFiguresSerializer(rows, many=True).data)


@extend_schema(tags=["staff"])
class StaffEnrolmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [StaffAccess]
    serializer_class = StaffEnrolmentSerializer
    filterset_class = StaffEnrolmentFilter

    def get_queryset(self):
        filters = query(StaffEnrolmentFilter, self.request)
        user = self.request.user
        return selectors.enrolments_for_staff(
            actor=user, scheme_id=_in_scope(user, Action.MANAGE_SCHEME, Scheme, filters.get("scheme"), "scheme"),
            status=filters.get("status") or None, source=filters.get("source") or None,
            organisation_id=_in_scope(user, Action.MANAGE_SCHEME, Organisation, filters.get("organisation"),
                                      "organisation"),
            search=filters.get("q") or "")

    @extend_schema(parameters=[ExportQuerySerializer],
                   responses={(200, "text/csv"): OpenApiTypes.BINARY,
                              (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                                  OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        """The filtered list as CSV or XLSX (`?file=xlsx`); cells that a spreadsheet would run are neutralised."""
        params = ExportQuerySerializer(data={"file": request.query_params.get("file", "csv")})
        params.is_valid(raise_exception=True)
        header, rows = selectors.enrolment_export(self.get_queryset())
        name = f"enrolments-{timezone.localdate():%Y%m%d}"
        return exports.export_response(params.validated_data["file"], name, header, rows, sheet_title="Enrolments")


@extend_schema(tags=["staff"])
class StaffClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The claims queue (open claims, oldest first, unless `?status=`), with the suggested payout and its
    working, and the review actions."""

    permission_classes = [StaffAccess]
    serializer_class = StaffClaimSerializer
    filterset_class = StaffClaimFilter

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "document_prefix": STAFF_DOCUMENTS}

    def get_queryset(self):
        filters = query(StaffClaimFilter, self.request) if self.action == "list" else {}
        user = self.request.user
        return selectors.claims_for_staff(
            actor=user, status=filters.get("status") or None,
            scheme_id=_in_scope(user, Action.APPROVE_CLAIM, Scheme, filters.get("scheme"), "scheme"),
            open_only=filters.get("open") is not False)

    def retrieve(self, request, *args, **kwargs):
        claim = selectors.claim_get_for_staff(actor=request.user, claim_id=int(kwargs["pk"]))
        context = {**self.get_serializer_context(), "payout_step": True}  # the full account: this detail only
        return Response(StaffClaimSerializer(claim, context=context).data)

    def _act(self, request, pk, body, fn, **fixed):
        selectors.claim_get_for_staff(actor=request.user, claim_id=int(pk))  # 404 before the body is read
        data = {}
        if body is not None:
            serializer = body(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        claim = fn(actor=request.user, claim_id=int(pk), **data, **fixed)
        return Response(StaffClaimSerializer(claim, context=self.get_serializer_context()).data)

    @extend_schema(request=MessageBodySerializer, responses=StaffClaimSerializer)
    @action(detail=True, methods=["post"], url_path="request-more", filterset_class=None)
    def request_more(self, request, pk=None):
        """Ask the member for more documents, saying what."""
        return self._act(request, pk, MessageBodySerializer, services.claim_request_info)

    @extend_schema(request=ApproveSerializer, responses=StaffClaimSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def approve(self, request, pk=None):
        """Approve with the suggested payout, or another amount with a reason (never above the caps)."""
        return self._act(request, pk, ApproveSerializer, services.claim_approve)

    @extend_schema(request=ReasonBodySerializer, responses=StaffClaimSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def reject(self, request, pk=None):
        return self._act(request, pk, ReasonBodySerializer, services.claim_reject)

    @extend_schema(request=PaidBodySerializer, responses=StaffClaimSerializer)
    @action(detail=True, methods=["post"], url_path="mark-paid", filterset_class=None)
    def mark_paid(self, request, pk=None):
        """Record the payout (its bank reference) of an approved claim."""
        return self._act(request, pk, PaidBodySerializer, services.claim_mark_paid)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>[0-9]{1,18})", url_name="document",
            filterset_class=None)
    def document(self, request, pk=None, document_id=None):
        document = selectors.claim_document_get_for_staff(actor=request.user, claim_id=int(pk),
                                                          document_id=int(document_id))
        return private_file_response(document.file.name, download_name=document.original_name or "document")
