"""Member-facing API: schemes with the caller's eligibility and price, enrolments, claims with documents,
and the public certificate check (no sign-in; shows no personal data beyond a masked name)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.selectors import member_for
from portal.filters import query
from portal.members.selectors import member_require
from portal.parsers import JSONParser
from portal.uploads import private_file_response

from .. import selectors, services
from ..filters import ClaimFilter, EnrolmentFilter, SchemeFilter
from ..models import Claim, Enrolment, Scheme
from .serializers import (
    CertificateSerializer,
    ClaimCreateSerializer,
    ClaimDocumentsAddSerializer,
    ClaimSerializer,
    EnrolmentCreateSerializer,
    EnrolmentSerializer,
    SchemeSerializer,
)


@extend_schema(tags=["mutual aid"])
class SchemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Schemes open for enrolment (and closed ones still in their term), with the price for `?shares=` and,
    for a signed-in member, whether they and each dependant may enrol and every reason why not."""

    permission_classes = [AllowAny]
    serializer_class = SchemeSerializer
    filterset_class = SchemeFilter

    def _params(self) -> dict:
        return query(SchemeFilter, self.request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Scheme.objects.none()
        return selectors.scheme_list_for_member(kind=self._params()["kind"] or None)

    def _data(self, schemes, many: bool):
        shares = self._params()["shares"] or 1
        member = member_for(self.request.user)
        verdicts = selectors.scheme_verdicts(member=member, schemes=schemes, shares=shares)
        context = {"shares": shares, "verdicts": verdicts, "request": self.request}
        return SchemeSerializer(schemes if many else schemes[0], many=many, context=context).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._data(list(page), many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data([selectors.scheme_get_for_member(scheme_id=int(kwargs["pk"]))], many=False))


@extend_schema(tags=["mutual aid"])
class EnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in member's enrolments (themself and their dependants); anybody else's is 404."""

    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrolment.objects.none()
        status_filter = query(EnrolmentFilter, self.request)["status"] if self.action == "list" else None
        return selectors.enrolment_list(member=member_require(user=self.request.user), status=status_filter or None)

    @extend_schema(request=EnrolmentCreateSerializer, responses={201: EnrolmentSerializer})
    def create(self, request):
        """Enrol yourself ("insured": "self") or a dependant (their id). A contribution to pay comes back as
        `payment` (pay it through /payments/); a union-funded scheme is active at once."""
        serializer = EnrolmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = member_require(user=request.user)
        enrolment = services.enrolment_create(member=member, scheme_id=data["scheme"], shares=data["shares"],
                                              dependant_id=data["insured"])
        enrolment = selectors.enrolment_get(member=member, enrolment_id=enrolment.pk)
        return Response(EnrolmentSerializer(enrolment, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Withdraw an enrolment that has not been paid for."""
        member = member_require(user=request.user)
        services.enrolment_cancel(member=member, enrolment_id=int(pk))
        return Response(EnrolmentSerializer(selectors.enrolment_get(member=member, enrolment_id=int(pk)),
                                            context={"request": request}).data)


@extend_schema(tags=["mutual aid"])
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in member's claims with their status timeline; anybody else's is 404."""

    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter

    parser_classes = [MultiPartParser, FormParser, JSONParser]  # claims carry documents: multipart

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Claim.objects.none()
        status_filter = query(ClaimFilter, self.request)["status"] if self.action == "list" else None
        return selectors.claim_list(member=member_require(user=self.request.user), status=status_filter or None)

    @extend_schema(request={"multipart/form-data": ClaimCreateSerializer}, responses={201: ClaimSerializer})
    def create(self, request):
        """Claim under one of your enrolments: the event and its dates, the amounts, the payout account and
        the documents (PDF, JPEG, PNG; checked by content). The answer carries the suggested payout and its
        working."""
        serializer = ClaimCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        member = member_require(user=request.user)
        claim = services.claim_submit(member=member, enrolment_id=data.pop("enrolment"), **data)
        return Response(ClaimSerializer(selectors.claim_get(member=member, claim_id=claim.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": ClaimDocumentsAddSerializer}, responses=ClaimSerializer)
    @action(detail=True, methods=["post"], url_path="documents", url_name="documents", filterset_class=None,
            parser_classes=[MultiPartParser, FormParser])
    def add_documents(self, request, pk=None):
        """Answer a request for more: add documents (and a note); the claim goes back to the officer."""
        member = member_require(user=request.user)
        selectors.claim_get(member=member, claim_id=int(pk))  # another member's claim is 404 before the body
        serializer = ClaimDocumentsAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.claim_documents_add(member=member, claim_id=int(pk), **serializer.validated_data)
        return Response(ClaimSerializer(claim).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>[0-9]{1,18})", url_name="document",
            filterset_class=None)
    def document(self, request, pk=None, document_id=None):
        """Download one of your claim's documents."""
        document = selectors.claim_document_get(member=member_require(user=request.user), claim_id=int(pk),
                                                document_id=int(document_id))
        return private_file_response(document.file.name, download_name=document.original_name or "document")


@extend_schema(tags=["mutual aid"], responses=CertificateSerializer)
class CertificateView(APIView):
    """The public check of a certificate's code (the QR on the printed certificate): the scheme, the term,
    whether cover is valid today, and a masked name. Nothing else about the person."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get(self, request, code: str):
        return Response(CertificateSerializer(selectors.certificate_verify(code=code)).data)
