"""Payments API: a member's own payments and receipts, the test-mode card form, staff refunds, Stripe's webhook."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from bookings.selectors import member_for
from portal.api import problem
from portal.converters import ID_REGEX
from portal.errors import Conflict
from portal.members.api import StaffAccess

from . import selectors, services, tasks
from .declines import decline_message
from .filters import StaffPaymentFilter
from .models import Payment, PaymentStatus, Refund
from .serializers import PaymentBriefSerializer


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["id", "amount_fen", "reason", "created_at"]


class PayableSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()


class PaymentSerializer(PaymentBriefSerializer):
    payable = serializers.SerializerMethodField()
    processing = serializers.BooleanField(read_only=True)
    failure_code = serializers.CharField(read_only=True)
    failure_reason = serializers.SerializerMethodField()
    refunded_fen = serializers.IntegerField(read_only=True)
    refunds = RefundSerializer(many=True, read_only=True)
    hold_expires_at = serializers.SerializerMethodField()
    reference = serializers.CharField(source="stripe_payment_intent_id", read_only=True, allow_null=True)

    class Meta(PaymentBriefSerializer.Meta):
        fields = [*PaymentBriefSerializer.Meta.fields, "payable", "processing", "failure_code", "failure_reason",
                  "refunded_fen", "refunds", "late_outcome", "hold_expires_at", "reference", "created_at",
                  "succeeded_at"]

    def get_payable(self, obj) -> PayableSerializer:
        from .payables import adapter_for

        adapter = adapter_for(obj)
        return {"kind": adapter.field, "id": obj.payable.pk, "title": adapter.title(obj.payable)}

    def get_failure_reason(self, obj) -> str:
        """Why the last attempt failed, in the member's language ("" unless failed)."""
        return decline_message(obj.failure_code) if obj.status == PaymentStatus.FAILED else ""

    def get_hold_expires_at(self, obj) -> datetime | None:
        from .payables import adapter_for

        return adapter_for(obj).hold_ends_at(obj.payable) if obj.status in (
            PaymentStatus.PENDING, PaymentStatus.FAILED) else None


class ConfirmSerializer(serializers.Serializer):
    card_number = serializers.RegexField(r"^[0-9 ]{12,23}$", max_length=23,
                                         help_text="a Stripe test card, e.g. 4242 4242 4242 4242")
    exp_month = serializers.IntegerField(min_value=1, max_value=12)
    exp_year = serializers.IntegerField(min_value=0, max_value=2100, help_text="YYYY or YY")
    cvc = serializers.RegexField(r"^[0-9]{3,4}$")

    def validate_card_number(self, value: str) -> str:
        digits = value.replace(" ", "")
        if not 12 <= len(digits) <= 19:
            raise serializers.ValidationError(_("Enter the card number (digits only)."))
        return digits

    def validate_exp_year(self, value: int) -> int:
        year = value + 2000 if value < 100 else value
        if year < 2000:
            raise serializers.ValidationError(_("Enter the expiry year, e.g. 2030."))
        return year


class ReceiptSerializer(serializers.Serializer):
    number = serializers.CharField()
    union = serializers.CharField()
    payable = serializers.CharField()
    member_name = serializers.CharField()
    amount_fen = serializers.IntegerField()
    member_share_fen = serializers.IntegerField()
    subsidy_fen = serializers.IntegerField()
    refunded_fen = serializers.IntegerField()
    currency = serializers.CharField()
    paid_at = serializers.DateTimeField()
    reference = serializers.CharField()
    html_url = serializers.CharField()


def receipt_data(payment: Payment) -> dict:
    from .payables import adapter_for

    if payment.succeeded_at is None:
        raise Conflict(_("A receipt is available once the payment has been made."), code="not_paid")
    adapter = adapter_for(payment)
    facility = adapter.facility(payment.payable)
    return {
        "number": f"R{payment.succeeded_at:%Y%m%d}-{payment.pk:06d}", "union": payment.owning_organisation.name,
        "facility": facility.name if facility is not None else "", "payable": adapter.title(payment.payable),
        "member_name": payment.member.real_name, "amount_fen": payment.amount_fen,
        "member_share_fen": payment.member_share_fen, "subsidy_fen": payment.subsidy_fen,
        "refunded_fen": payment.refunded_fen, "currency": payment.currency, "paid_at": payment.succeeded_at,
        "reference": payment.stripe_charge_id or payment.stripe_payment_intent_id or "",
        "html_url": reverse("frontend:payment_receipt", args=[payment.pk]),
    }


@extend_schema(tags=["payments"])
class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in member's own payments; anybody else's is 404."""

    serializer_class = PaymentSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        member = member_for(self.request.user)
        return Payment.objects.none() if member is None else selectors.payment_list_for_member(member=member)

    def _own(self, pk) -> Payment:
        return selectors.payment_get_for_member(member=member_for(self.request.user), payment_id=int(pk))

    @extend_schema(request=ConfirmSerializer, responses={
        202: PaymentSerializer, 404: OpenApiResponse(description="not yours, or live keys are configured"),
        409: OpenApiResponse(description="already paid, hold over, or being processed")})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Test mode only: pay with a Stripe test card. 202: the outcome arrives by webhook (poll this payment)."""
        self._own(pk)  # someone else's payment is a 404 whatever the body says
        serializer = ConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.payment_confirm_test_card(member=member_for(request.user), payment_id=int(pk),
                                                     **serializer.validated_data)
        return Response(PaymentSerializer(self._own(payment.pk)).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: ReceiptSerializer, 409: OpenApiResponse(description="not paid")})
    @action(detail=True, methods=["get"])
    def receipt(self, request, pk=None):
        data = receipt_data(self._own(pk))
        return Response(ReceiptSerializer(data).data)


class StaffRefundSerializer(serializers.Serializer):
    amount_fen = serializers.IntegerField(min_value=1, max_value=100_000_000)
    reason = serializers.CharField(max_length=300)


class StaffPaymentSerializer(PaymentSerializer):
    member_name = serializers.CharField(source="member.real_name", read_only=True)

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "member_name"]


@extend_schema(tags=["staff"])
class StaffPaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payments of the payables in your subtrees (filter by facility, status and period); refunds."""

    permission_classes = [StaffAccess]
    serializer_class = StaffPaymentSerializer
    lookup_value_regex = ID_REGEX
    filter_backends: list = []
    filterset_class = StaffPaymentFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        if self.action != "list":
            return selectors.payments_for_staff(actor=self.request.user)
        filters = StaffPaymentFilter(self.request.query_params)
        if not filters.is_valid():
            raise serializers.ValidationError(filters.errors)
        return selectors.payments_for_staff(actor=self.request.user, **filters.clean_bounds())

    def retrieve(self, request, *args, **kwargs):
        payment = selectors.payment_get_for_staff(actor=request.user, payment_id=int(kwargs["pk"]))
        return Response(StaffPaymentSerializer(payment).data)

    @extend_schema(request=StaffRefundSerializer, responses={
        201: RefundSerializer, 200: RefundSerializer, 403: OpenApiResponse(description="may not refund"),
        409: OpenApiResponse(description="not paid, or the policy allows no refund")})
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        """Refund `amount_fen` (at most what is left) with a reason. The same request twice refunds once (200)."""
        selectors.payment_get_for_staff(actor=request.user, payment_id=int(pk))  # outside the subtree: 404 first
        serializer = StaffRefundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund, created = services.refund_by_staff(actor=request.user, payment_id=int(pk),
                                                   **serializer.validated_data)
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED if created else 200)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's signed events: verified, stored once, applied by a task. 400 when not verifiable."""
    try:
        event, pending = services.webhook_event_store(payload=request.body,
                                                      signature=request.headers.get("Stripe-Signature"))
    except services.WebhookRejected as exc:
        return JsonResponse(problem(status_code=400, detail=exc.detail, type_=exc.code), status=400)
    if pending:
        transaction.on_commit(lambda: tasks.webhook_event_apply.delay(event.pk))
    return JsonResponse({"received": True})

