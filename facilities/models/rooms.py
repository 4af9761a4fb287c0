"""A sanatorium's room types, its inventory night by night, and its stay policy.

Correctness lives here as constraints: a night's `rooms_taken` can never leave [0, rooms_open], and each
room type has at most one row per night. Counters move only through facilities.inventory (row locks in date
order, then conditional UPDATEs).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.currency import Currency, only_cny
from portal.members.models import Organisation

from .places import Facility

__all__ = [
    "MAX_BEDS_PER_ROOM",
    "MAX_NIGHTLY_PRICE_FEN",
    "MAX_ROOMS_PER_TYPE",
    "RoomNight",
    "RoomType",
    "RoomTypeKind",
    "RoomTypePhoto",
    "SanatoriumPolicy",
]

# Bounds that tell a typing slip from a real sanatorium (the largest hold a few hundred rooms of a kind).
MAX_ROOMS_PER_TYPE = 1000
MAX_BEDS_PER_ROOM = 12
MAX_NIGHTLY_PRICE_FEN = 10_000_000  # ¥100,000 a night


class RoomTypeKind(models.TextChoices):
    SINGLE = "single", _("Single room")
    TWIN = "twin", _("Twin room")
    FAMILY_SUITE = "family_suite", _("Family suite")
    ACCESSIBLE = "accessible", _("Accessible room")


class RoomType(models.Model):
    """Rooms of one kind in a sanatorium (facilities.inventory checks the facility is a sanatorium)."""

    facility = models.ForeignKey(Facility, verbose_name=_("sanatorium"), on_delete=models.PROTECT,
                                 related_name="room_types")
    kind = models.CharField(_("kind"), max_length=20, choices=RoomTypeKind.choices)
    name = models.CharField(_("name"), max_length=100)
    rooms = models.PositiveSmallIntegerField(
        _("rooms"), validators=[MinValueValidator(1), MaxValueValidator(MAX_ROOMS_PER_TYPE)],
        help_text=_("standing number of rooms; nights may open fewer"))
    beds = models.PositiveSmallIntegerField(_("beds per room"),
                                            validators=[MinValueValidator(1), MaxValueValidator(MAX_BEDS_PER_ROOM)])
    member_price_fen = models.PositiveIntegerField(
        _("member price per night (fen)"), validators=[MaxValueValidator(MAX_NIGHTLY_PRICE_FEN)])
    companion_price_fen = models.PositiveIntegerField(
        _("companion price per night (fen)"), validators=[MaxValueValidator(MAX_NIGHTLY_PRICE_FEN)])
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("bookable"), default=True)

    class Meta:
        verbose_name = _("room type")
        verbose_name_plural = _("room types")
        ordering = ["facility_id", "member_price_fen", "id"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "name"], name="uniq_room_type_name_per_facility",
                                    violation_error_code="duplicate_name",
                                    violation_error_message=_("This sanatorium already has a room type with this "
                                                              "name.")),
            models.CheckConstraint(condition=Q(rooms__gte=1) & Q(rooms__lte=MAX_ROOMS_PER_TYPE),
                                   name="room_type_rooms_sane", violation_error_code="rooms",
                                   violation_error_message=_("Enter between 1 and 1000 rooms.")),
            models.CheckConstraint(condition=Q(beds__gte=1) & Q(beds__lte=MAX_BEDS_PER_ROOM),
                                   name="room_type_beds_sane", violation_error_code="beds",
                                   violation_error_message=_("Enter between 1 and 12 beds per room.")),
            models.CheckConstraint(condition=Q(member_price_fen__gte=0)
                                   & Q(member_price_fen__lte=MAX_NIGHTLY_PRICE_FEN),
                                   name="room_type_member_price_sane", violation_error_code="member_price",
                                   violation_error_message=_("Enter a member price between ¥0 and ¥100,000 a "
                                                             "night.")),
            models.CheckConstraint(condition=Q(companion_price_fen__gte=0)
                                   & Q(companion_price_fen__lte=MAX_NIGHTLY_PRICE_FEN),
                                   name="room_type_companion_price_sane", violation_error_code="companion_price",
                                   violation_error_message=_("Enter a companion price between ¥0 and ¥100,000 a "
                                                             "night.")),
            models.CheckConstraint(condition=only_cny(), name="room_type_currency_cny", violation_error_code="currency",
                                   violation_error_message=_("Room prices are in renminbi (CNY).")),
        ]

    def __str__(self) -> str:
        return f"{self.facility.name} · {self.name}"

    @property
    def owning_organisation(self) -> Organisation:
        return self.facility.organisation


class RoomTypePhoto(models.Model):
    room_type = models.ForeignKey(RoomType, verbose_name=_("room type"), on_delete=models.CASCADE,
                                  related_name="photos")
    # Written only by facilities.rooms through portal.uploads (decoded, re-encoded, random name).
    image = models.ImageField(_("image"), upload_to="public/rooms/%Y/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("room type photo")
        verbose_name_plural = _("room type photos")
        ordering = ["position", "id"]

    @property
    def owning_organisation(self) -> Organisation:
        return self.room_type.facility.organisation


class RoomNight(models.Model):
    """One night of one room type: how many rooms are open for booking and how many are taken."""

    room_type = models.ForeignKey(RoomType, verbose_name=_("room type"), on_delete=models.CASCADE,
                                  related_name="nights")
    date = models.DateField(_("night of"))
    rooms_open = models.PositiveSmallIntegerField(_("rooms open"))
    rooms_taken = models.PositiveSmallIntegerField(_("rooms taken"), default=0)

    class Meta:
        verbose_name = _("room night")
        verbose_name_plural = _("room nights")
        ordering = ["room_type_id", "date"]
        constraints = [
            # Its index (room_type, date) also serves every range read and the date-ordered row locks.
            models.UniqueConstraint(fields=["room_type", "date"], name="uniq_room_night",
                                    violation_error_code="duplicate_night",
                                    violation_error_message=_("This night is already open for this room type.")),
            models.CheckConstraint(condition=Q(rooms_taken__gte=0), name="room_night_taken_non_negative",
                                   violation_error_code="taken_negative",
                                   violation_error_message=_("Rooms taken cannot be negative.")),
            models.CheckConstraint(condition=Q(rooms_taken__lte=F("rooms_open")), name="room_night_taken_within_open",
                                   violation_error_code="taken_over_open",
                                   violation_error_message=_("A night cannot have fewer rooms open than taken.")),
            models.CheckConstraint(condition=Q(rooms_open__lte=MAX_ROOMS_PER_TYPE), name="room_night_open_sane",
                                   violation_error_code="open_sane",
                                   violation_error_message=_("Enter at most 1000 rooms.")),
        ]

    def __str__(self) -> str:
        return f"{self.room_type} · {self.date:%Y-%m-%d}"

    @property
    def owning_organisation(self) -> Organisation:
        return self.room_type.facility.organisation


class SanatoriumPolicy(models.Model):
    """A sanatorium's stay rules and subsidy split (bookings.stay_pricing applies them)."""

    facility = models.OneToOneField(Facility, verbose_name=_("sanatorium"), on_delete=models.CASCADE,
                                    related_name="stay_policy")
    max_stay_nights = models.PositiveSmallIntegerField(
        _("longest stay (nights)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(60)])
    booking_horizon_days = models.PositiveSmallIntegerField(
        _("bookable days ahead"), default=120, validators=[MinValueValidator(1), MaxValueValidator(365)])
    cancel_deadline_hours = models.PositiveSmallIntegerField(
        _("free cancellation until (hours before check-in)"), default=48,
        validators=[MaxValueValidator(720)])
    free_member_nights_per_year = models.PositiveSmallIntegerField(
        _("member's free nights a year"), default=7, validators=[MaxValueValidator(366)])
    member_subsidy_percent = models.PositiveSmallIntegerField(
        _("union subsidy on the member's further nights (%)"), default=50, validators=[MaxValueValidator(100)])
    companion_subsidy_percent = models.PositiveSmallIntegerField(
        _("union subsidy on companions' nights (%)"), default=0, validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("sanatorium stay policy")
        verbose_name_plural = _("sanatorium stay policies")
        constraints = [
            models.CheckConstraint(condition=Q(max_stay_nights__gte=1) & Q(max_stay_nights__lte=60),
                                   name="policy_max_stay_sane", violation_error_code="max_stay",
                                   violation_error_message=_("A stay may last between 1 and 60 nights.")),
            models.CheckConstraint(condition=Q(booking_horizon_days__gte=1) & Q(booking_horizon_days__lte=365),
                                   name="policy_horizon_sane", violation_error_code="horizon",
                                   violation_error_message=_("Members may book between 1 and 365 days ahead.")),
            models.CheckConstraint(condition=Q(cancel_deadline_hours__lte=720), name="policy_cancel_deadline_sane",
                                   violation_error_code="cancel_deadline",
                                   violation_error_message=_("The cancellation deadline is at most 720 hours "
                                                             "(30 days) before check-in.")),
            models.CheckConstraint(condition=Q(free_member_nights_per_year__lte=366), name="policy_free_nights_sane",
                                   violation_error_code="free_nights",
                                   violation_error_message=_("A year has at most 366 free nights.")),
            models.CheckConstraint(condition=Q(member_subsidy_percent__lte=100), name="policy_member_subsidy_sane",
                                   violation_error_code="member_subsidy",
                                   violation_error_message=_("A subsidy is between 0 and 100 percent.")),
            models.CheckConstraint(condition=Q(companion_subsidy_percent__lte=100),
                                   name="policy_companion_subsidy_sane", violation_error_code="companion_subsidy",
                                   violation_error_message=_("A companion subsidy is between 0 and 100 percent.")),
        ]

    def __str__(self) -> str:
        return str(self.facility)

    @property
    def owning_organisation(self) -> Organisation:
        return self.facility.organisation
