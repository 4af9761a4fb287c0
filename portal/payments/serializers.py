"""The `payment` every payable's API answer carries (bookings now; stays and enrolments later)."""

from __future__ import annotations

from rest_framework import serializers

from .models import Payment


class PaymentBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "status", "amount_fen", "member_share_fen", "subsidy_fen", "currency"]


class PayableSerializerMixin(serializers.Serializer):
    """Adds `payment` (or null when nothing is due) to a payable's serializer; select_related("payment")."""

    payment = serializers.SerializerMethodField()

    def get_payment(self, obj) -> PaymentBriefSerializer(allow_null=True):  # type: ignore[valid-type]
        payment = getattr(obj, "payment", None)
        return PaymentBriefSerializer(payment).data if payment is not None else None
