"""Member-facing API: sessions with the caller's availability, bookings, offers, tickets, calendar feed."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.errors import NotFound
from portal.filters import query
from portal.members.selectors import member_require
from portal.qr import qr_svg
from portal.serializers import Serializer

from .. import selectors, services
from ..filters import BookingFilter, SessionFilter
from ..models import Booking, Session
from .serializers import BookingCreateSerializer, BookingSerializer, SessionSerializer


@extend_schema(tags=["sessions"])
class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    """Upcoming sessions with capacity, remaining seats, price and whether the caller may book (and why not).
    The list and one session are read by the same selector, so both give the same verdict."""

    permission_classes = [AllowAny]
    serializer_class = SessionSerializer
    filterset_class = SessionFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        params = query(SessionFilter, self.request)
        activity = params.pop("activity")
        return selectors.session_search(activity_id=activity.pk if activity else None, **params)

    def _respond(self, sessions, many: bool):
        availability = selectors.session_availability(member=selectors.member_for(self.request.user),
                                                      sessions=sessions)
        return SessionSerializer(sessions if many else sessions[0], many=many,
                                 context={"availability": availability, "request": self.request}).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._respond(list(page), many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._respond([selectors.session_get(session_id=int(kwargs["pk"]))], many=False))


@extend_schema(tags=["bookings"])
class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in member's own bookings; anybody else's is 404."""

    serializer_class = BookingSerializer
    filterset_class = BookingFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no member
            return Booking.objects.none()
        status_filter = query(BookingFilter, self.request)["status"] if self.action == "list" else None
        return selectors.booking_list(member=member_require(user=self.request.user), status=status_filter or None)

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSerializer})
    def create(self, request):
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        booking = services.booking_create(member=member_require(user=request.user), session_id=data["session"],
                                          seats=data["seats"], waitlist=data["waitlist"])
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)

    def _act(self, fn, pk):
        booking = fn(member=member_require(user=self.request.user), booking_id=int(pk))
        return Response(BookingSerializer(selectors.booking_get(member=booking.member, booking_id=booking.pk)).data)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(services.booking_cancel, pk)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a waitlist offer."""
        return self._act(services.offer_accept, pk)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline a waitlist offer; the seat passes on."""
        return self._act(services.offer_decline, pk)

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="ticket")
    def ticket(self, request, pk=None):
        """The ticket's QR code (SVG) to show at the door."""
        booking = self.get_object()
        if not booking.ticket_code:
            raise NotFound(_("This booking has no ticket yet."))
        svg = qr_svg(booking.ticket_code, scale=6, standalone=True)
        return HttpResponse(svg, content_type="image/svg+xml")


class SuspensionSerializer(Serializer):
    suspended = serializers.BooleanField()
    reason = serializers.CharField()
    ends_at = serializers.DateTimeField(allow_null=True)


class FeedUrlSerializer(Serializer):
    url = serializers.URLField()


@extend_schema(tags=["bookings"], responses=SuspensionSerializer)
class SuspensionView(APIView):
    """Whether online booking is suspended for the member, why and until when."""

    def get(self, request):
        suspension = services.active_suspension(member_require(user=request.user), timezone.now())
        if suspension is None:
            return Response({"suspended": False, "reason": "", "ends_at": None})
        return Response({"suspended": True, "reason": suspension.reason, "ends_at": suspension.ends_at})


@extend_schema(tags=["bookings"], request=None, responses=FeedUrlSerializer)
class CalendarFeedView(APIView):
    """GET the private feed URL (created on first use); POST rotates it; DELETE revokes it."""

    def _body(self, request, feed):
        return {"url": request.build_absolute_uri(reverse("calendar-feed", args=[feed.token]))}

    def get(self, request):
        member = member_require(user=request.user)
        return Response(self._body(request, services.calendar_feed_get_or_create(member=member)))

    def post(self, request):
        return Response(self._body(request, services.calendar_feed_rotate(member=member_require(user=request.user))))

    def delete(self, request):
        services.calendar_feed_revoke(member=member_require(user=request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


def calendar_feed(request, token: str):
    """The .ics itself: no login (calendar apps cannot log in), the token is the secret."""
    body = services.calendar_render(token=token)
    if body is None:
        raise Http404
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")

