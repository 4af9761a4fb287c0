"""One Payment for every payable thing, the Stripe webhook events received, and refunds.

Invariants live in the database: exactly one payable per payment, the amount is the member's share plus the
union's subsidy, refunds never exceed what the member paid, and every provider id (PaymentIntent, event,
refund) is stored at most once, so a retried request or a redelivered webhook can never count twice.
"""

from __future__ import annotations

import uuid
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.members.models import Member, Organisation

# One nullable foreign key per kind of payable: palace bookings, sanatorium stays, mutual-aid enrolments.
PAYABLE_FIELDS = ("booking", "stay", "enrolment")


def _exactly_one(fields: tuple[str, ...]) -> Q:
    return reduce(or_, (Q(**{f"{f}__isnull": False}) & Q(**{f"{o}__isnull": True for o in fields if o != f})
                        for f in fields))


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Payment failed")
    CANCELLED = "cancelled", _("Payment cancelled")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")


PAID_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class LateOutcome(models.TextChoices):
    """What happened to a payment that succeeded after its hold had ended."""

    NONE = "", _("On time")
    CONFIRMED = "confirmed", _("Paid late, seat still free: confirmed")
    REFUNDED = "refunded", _("Paid late, seat gone: refunded")


class Payment(models.Model):
    booking = models.OneToOneField("bookings.Booking", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="payment")
    stay = models.OneToOneField("bookings.Stay", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="payment")
    enrolment = models.OneToOneField("mutualaid.Enrolment", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="payment")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="payments")
    # amount = what the payable costs = the member's share (charged through Stripe) + the union's subsidy.
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    member_share_fen = models.PositiveIntegerField(_("member share (fen)"))
    subsidy_fen = models.PositiveIntegerField(_("union subsidy (fen)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(_("status"), max_length=20, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING)
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True)
    # Every call to Stripe for this payment sends a key derived from this one, so a retry never charges twice.
    idempotency_key = models.CharField(max_length=64, unique=True, default=new_idempotency_key, editable=False)
    attempts = models.PositiveIntegerField(default=0)
    confirm_requested_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=100, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)  # Stripe's English text, never shown as is
    # Stripe's `created` of the event that set the failure: a failure only replaces an older one.
    failure_seen_at = models.BigIntegerField(null=True, blank=True)
    refunded_fen = models.PositiveIntegerField(_("refunded (fen)"), default=0)
    late_outcome = models.CharField(max_length=10, choices=LateOutcome.choices, blank=True,
                                    default=LateOutcome.NONE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_exactly_one(PAYABLE_FIELDS), name="payment_exactly_one_payable",
                                   violation_error_code="payable_missing",
                                   violation_error_message=_("A payment is for exactly one booked item.")),
            models.CheckConstraint(condition=Q(amount_fen=F("member_share_fen") + F("subsidy_fen")),
                                   name="payment_amount_is_share_plus_subsidy", violation_error_code="amount_mismatch",
                                   violation_error_message=_("The amount must be the member share plus the subsidy.")),
            models.CheckConstraint(condition=Q(member_share_fen__gt=0), name="payment_member_share_positive",
                                   violation_error_code="share_not_positive",
                                   violation_error_message=_("There is nothing for the member to pay.")),
            models.CheckConstraint(condition=Q(refunded_fen__lte=F("member_share_fen")),
                                   name="payment_refund_within_share", violation_error_code="refund_too_large",
                                   violation_error_message=_("A refund cannot exceed what the member paid.")),
        ]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["member", "created_at"])]

    def __str__(self) -> str:
        return f"Payment #{self.pk} {self.member_share_fen} {self.currency} ({self.status})"

    @property
    def payable(self):
        return next(getattr(self, f) for f in PAYABLE_FIELDS if getattr(self, f"{f}_id") is not None)

    @property
    def owning_organisation(self) -> Organisation:
        return self.payable.owning_organisation

    @property
    def refundable_fen(self) -> int:
        return self.member_share_fen - self.refunded_fen if self.succeeded_at else 0

    @property
    def processing(self) -> bool:
        """Card details sent, Stripe's verdict not in yet."""
        return self.status == PaymentStatus.PENDING and self.confirm_requested_at is not None


class WebhookEvent(models.Model):
    """A verified Stripe event, stored once by its id; applied by a task, at most once."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    stripe_created = models.BigIntegerField()
    payload = models.JSONField()
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        indexes = [models.Index(fields=["processed_at", "received_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    stripe_refund_id = models.CharField(max_length=255, unique=True)
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    # The request a refund answers (staff: payment + amount + reason; policy: payment): asked twice, refunded once.
    request_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(
            condition=Q(amount_fen__gt=0), name="refund_amount_positive", violation_error_code="refund_not_positive",
            violation_error_message=_("Enter an amount to refund."))]

    def __str__(self) -> str:
        return f"{self.stripe_refund_id} {self.amount_fen}"
