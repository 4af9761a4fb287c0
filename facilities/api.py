"""Public facility registry and the staff API for venues, photos and asset records."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from portal.filters import query
from portal.members.api import StaffAccess
from portal.serializers import ModelSerializer

from . import selectors, services
from .api_rooms import NIGHT_RANGE_PARAMETERS, AvailabilitySerializer, availability_response
from .filters import FacilityFilter, StaffAssetRecordFilter, StaffVenueFilter
from .models import AssetRecord, Facility, FacilityPhoto, Venue


class VenueSerializer(ModelSerializer):
    class Meta:
        model = Venue
        fields = ["id", "facility", "name", "kind", "capacity", "description", "active"]
        validators: list = []  # (facility, name) uniqueness is the service's field error


class PhotoSerializer(ModelSerializer):
    class Meta:
        model = FacilityPhoto
        fields = ["id", "image", "caption", "position"]


class FacilitySerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    venues = VenueSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Facility
        fields = ["id", "kind", "name", "organisation", "organisation_name", "address", "region_code", "latitude",
                  "longitude", "opening_hours", "contact", "description", "accessibility", "status", "venues",
                  "photos"]


@extend_schema(tags=["facilities"])
class FacilityViewSet(viewsets.ReadOnlyModelViewSet):
    """Cultural palaces and sanatoriums: public, anyone may browse and search."""

    permission_classes = [AllowAny]
    serializer_class = FacilitySerializer
    filterset_class = FacilityFilter

    def get_queryset(self):
        if self.action != "list":
            return selectors.facility_list()
        filters = query(FacilityFilter, self.request)
        return selectors.facility_search(kind=filters["kind"] or None, region=filters["region"] or None,
                                         organisation=filters["org"], q=filters["q"])

    @extend_schema(parameters=NIGHT_RANGE_PARAMETERS, responses=AvailabilitySerializer)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def availability(self, request, pk=None):
        """A sanatorium's rooms left per room type and night of [start, end), up to 120 nights (one query)."""
        return availability_response(request, int(pk))


@extend_schema(tags=["staff"])
class StaffVenueViewSet(viewsets.ModelViewSet):
    """Venues of the facilities the staff member manages."""

    permission_classes = [StaffAccess]
    serializer_class = VenueSerializer
    filterset_class = StaffVenueFilter

    def get_queryset(self):
        filters = query(StaffVenueFilter, self.request) if self.action == "list" else {}
        return selectors.venue_list_for_staff(actor=self.request.user, **filters)

    def create(self, request, *args, **kwargs):
        serializer = VenueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        facility = selectors.staff_facility_get(actor=request.user, facility_id=data.pop("facility").pk)
        venue = services.venue_create(actor=request.user, facility=facility, **data)
        return Response(VenueSerializer(venue).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        venue = self.get_object()
        serializer = VenueSerializer(venue, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "facility"}
        venue = services.venue_update(actor=request.user, venue=venue, data=data)
        return Response(VenueSerializer(venue).data)

    def destroy(self, request, *args, **kwargs):
        services.venue_delete(actor=request.user, venue=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssetRecordSerializer(ModelSerializer):
    class Meta:
        model = AssetRecord
        fields = ["id", "facility", "year", "book_value_fen", "currency", "land_area_m2", "floor_area_m2",
                  "year_built", "title_status", "operating_mode", "notes", "updated_at"]
        read_only_fields = ["updated_at"]
        validators: list = []  # (facility, year) uniqueness is the service's field error


@extend_schema(tags=["staff"])
class StaffAssetRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                              mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The asset register of the staff member's facilities, one record per facility per year."""

    permission_classes = [StaffAccess]
    serializer_class = AssetRecordSerializer
    filterset_class = StaffAssetRecordFilter

    def get_queryset(self):
        filters = query(StaffAssetRecordFilter, self.request) if self.action == "list" else {}
        return selectors.asset_record_list_for_staff(actor=self.request.user, **filters)

    def create(self, request, *args, **kwargs):
        serializer = AssetRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        facility = selectors.staff_facility_get(actor=request.user, facility_id=data.pop("facility").pk,
                                                action=selectors.Action.EDIT_ASSETS)
        record = services.asset_record_create(actor=request.user, facility=facility, **data)
        return Response(AssetRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        record = self.get_object()
        serializer = AssetRecordSerializer(record, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k not in {"facility", "year"}}
        record = services.asset_record_update(actor=request.user, record=record, data=data)
        return Response(AssetRecordSerializer(record).data)


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField()
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True)


@extend_schema(tags=["staff"])
class StaffFacilityPhotoViewSet(viewsets.GenericViewSet):
    """POST multipart {image, caption} to /staff/facilities/{id}/photos/; DELETE .../photos/{photo_id}/."""

    permission_classes = [StaffAccess]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = PhotoUploadSerializer

    def create(self, request, facility_pk=None):
        facility = selectors.staff_facility_get(actor=request.user, facility_id=int(facility_pk))
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = services.facility_photo_add(actor=request.user, facility=facility, **serializer.validated_data)
        return Response(PhotoSerializer(photo, context={"request": request}).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, facility_pk=None, pk=None):
        facility = selectors.staff_facility_get(actor=request.user, facility_id=int(facility_pk))
        photo = get_object_or_404(FacilityPhoto, pk=pk, facility=facility)
        services.facility_photo_delete(actor=request.user, photo=photo)
        return Response(status=status.HTTP_204_NO_CONTENT)
