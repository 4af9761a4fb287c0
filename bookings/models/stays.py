"""Sanatorium stays: a member (and dependants) takes rooms of a room type for a range of nights.

The nights themselves are counted on facilities.RoomNight; a stay records which range it holds, what it
costs and how the cost splits into the union's subsidy and the member's share.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from facilities.models import RoomType
from portal.currency import Currency, only_cny
from portal.members.models import Dependant, Member, Organisation

from .palace import RefundStatus

__all__ = [
    "MAX_ROOMS_PER_STAY",
    "NIGHT_HOLDING_STATUSES",
    "Stay",
    "StayGuest",
    "StayStatus",
    "YEAR_COUNTING_STATUSES",
]

MAX_ROOMS_PER_STAY = 10


class StayStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired (not paid in time)")
    CHECKED_IN = "checked_in", pgettext_lazy("stay status", "Checked in")
    CHECKED_OUT = "checked_out", pgettext_lazy("stay status", "Checked out")


# Stays that hold their rooms on RoomNight; and stays that use up the member's free nights of the year.
NIGHT_HOLDING_STATUSES = (StayStatus.PENDING_PAYMENT, StayStatus.CONFIRMED, StayStatus.CHECKED_IN)
YEAR_COUNTING_STATUSES = (*NIGHT_HOLDING_STATUSES, StayStatus.CHECKED_OUT)


class Stay(models.Model):
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="stays")
    room_type = models.ForeignKey(RoomType, verbose_name=_("room type"), on_delete=models.PROTECT,
                                  related_name="stays")
    check_in = models.DateField(_("check-in"))
    check_out = models.DateField(_("check-out"))
    rooms = models.PositiveSmallIntegerField(_("rooms"))
    status = models.CharField(_("status"), max_length=20, choices=StayStatus.choices)
    hold_expires_at = models.DateTimeField(_("held until"), null=True, blank=True)
    # amount = member share + union subsidy; member_free_nights = the member's own nights that were free
    # (they count against the sanatorium's yearly allowance, in the year of check-in).
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    subsidy_fen = models.PositiveIntegerField(_("union subsidy (fen)"), default=0)
    member_free_nights = models.PositiveSmallIntegerField(_("member's free nights"), default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    channel = models.CharField(_("channel"), max_length=10, default="online")
    refund_status = models.CharField(_("refund"), max_length=10, choices=RefundStatus.choices,
                                     default=RefundStatus.NONE, blank=True)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        ordering = ["-check_in", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(check_out__gt=F("check_in")), name="stay_check_out_after_check_in",
                                   violation_error_code="dates",
                                   violation_error_message=_("The check-out date must be after the check-in date.")),
            models.CheckConstraint(condition=Q(rooms__gte=1) & Q(rooms__lte=MAX_ROOMS_PER_STAY),
                                   name="stay_rooms_sane", violation_error_code="rooms",
                                   violation_error_message=_("Book between 1 and 10 rooms.")),
            models.CheckConstraint(condition=Q(subsidy_fen__lte=F("amount_fen")), name="stay_subsidy_within_amount",
                                   violation_error_code="subsidy",
                                   violation_error_message=_("The subsidy cannot exceed the amount.")),
            models.CheckConstraint(condition=only_cny(), name="stay_currency_cny", violation_error_code="currency",
                                   violation_error_message=_("Stays are paid in renminbi (CNY).")),
        ]
        indexes = [
            models.Index(fields=["member", "status"]),
            models.Index(fields=["status", "hold_expires_at"]),
            models.Index(fields=["room_type", "check_in"]),
            models.Index(fields=["room_type", "check_out"]),
        ]

    def __str__(self) -> str:
        return f"{self.room_type} · {self.check_in:%Y-%m-%d}–{self.check_out:%Y-%m-%d}"

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    @property
    def member_share_fen(self) -> int:
        return self.amount_fen - self.subsidy_fen

    @property
    def owning_organisation(self) -> Organisation:
        return self.room_type.facility.organisation


class StayGuest(models.Model):
    """One person staying: the member themself or one of their dependants (name kept as it was)."""

    stay = models.ForeignKey(Stay, verbose_name=_("stay"), on_delete=models.CASCADE, related_name="guests")
    is_member = models.BooleanField(_("the member"), default=False)
    dependant = models.ForeignKey(Dependant, verbose_name=_("dependant"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="stay_guests")
    name = models.CharField(_("name"), max_length=50)
    nights = models.PositiveSmallIntegerField(_("nights"))

    class Meta:
        verbose_name = _("stay guest")
        verbose_name_plural = _("stay guests")
        ordering = ["stay_id", "-is_member", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stay"], condition=Q(is_member=True), name="uniq_stay_member_guest",
                                    violation_error_code="member_twice",
                                    violation_error_message=_("The member is listed once per stay.")),
            models.UniqueConstraint(fields=["stay", "dependant"], name="uniq_stay_dependant_guest",
                                    violation_error_code="dependant_twice",
                                    violation_error_message=_("Each dependant is listed once per stay.")),
            models.CheckConstraint(condition=Q(is_member=False) | Q(dependant__isnull=True),
                                   name="stay_guest_member_or_dependant", violation_error_code="member_or_dependant",
                                   violation_error_message=_("A guest is the member or a dependant, not both.")),
            models.CheckConstraint(condition=Q(nights__gte=1), name="stay_guest_nights_positive",
                                   violation_error_code="nights",
                                   violation_error_message=_("A guest stays at least one night.")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owning_organisation(self) -> Organisation:
        return self.stay.room_type.facility.organisation
