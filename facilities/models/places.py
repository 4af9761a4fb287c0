"""Cultural palaces and sanatoriums owned by a union, their venues, photos and yearly asset records."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.currency import Currency, only_cny
from portal.members.models import Organisation, region_code_validator

__all__ = [
    "AssetRecord", "Facility", "FacilityKind", "FacilityPhoto", "FacilityStatus", "OperatingMode", "TitleStatus",
    "Venue", "VenueKind", "validate_not_future_year",
]


class FacilityKind(models.TextChoices):
    PALACE = "palace", _("Cultural palace")
    SANATORIUM = "sanatorium", _("Sanatorium")


class FacilityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RENOVATION = "renovation", _("Closed for renovation")


class Facility(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="facilities",
                                     verbose_name=_("owning union"))
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    region_code = models.CharField(_("region code"), max_length=6, validators=[region_code_validator])
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    accessibility = models.TextField(_("accessibility notes"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=FacilityStatus.choices,
                              default=FacilityStatus.OPEN)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        indexes = [models.Index(fields=["kind", "region_code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def owning_organisation(self) -> Organisation:
        return self.organisation


class FacilityPhoto(models.Model):
    facility = models.ForeignKey(Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="photos")
    # Written only by facilities.services through portal.uploads (decoded, re-encoded, random name); the
    # upload_to is a fallback that still keeps anything else in the public photo directory.
    image = models.ImageField(_("image"), upload_to="public/facilities/%Y/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("facility photo")
        verbose_name_plural = _("facility photos")
        ordering = ["position", "id"]

    @property
    def owning_organisation(self) -> Organisation:
        return self.facility.organisation


class VenueKind(models.TextChoices):
    CLASSROOM = "classroom", _("Classroom")
    THEATRE = "theatre", _("Theatre")
    GYM = "gym", _("Gym")
    COURT = "court", _("Court")
    POOL = "pool", _("Swimming pool")
    LIBRARY = "library", _("Library")
    OTHER = "other", _("Other")


class Venue(models.Model):
    """A room or space inside a palace with a standing capacity (sessions may use less)."""

    facility = models.ForeignKey(Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="venues")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=VenueKind.choices)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    description = models.CharField(_("description"), max_length=300, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["facility_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "name"], name="uniq_venue_name_per_facility",
                                    violation_error_code="duplicate_name",
                                    violation_error_message=_("This facility already has a venue with this name.")),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="venue_capacity_positive",
                                   violation_error_code="capacity",
                                   violation_error_message=_("Enter a capacity of at least 1.")),
        ]

    def __str__(self) -> str:
        return f"{self.facility.name} · {self.name}"

    @property
    def owning_organisation(self) -> Organisation:
        return self.facility.organisation


class TitleStatus(models.TextChoices):
    HELD = "held", _("Title deed held")
    IN_PROGRESS = "in_progress", _("Title deed in progress")
    NONE = "none", _("No title deed")


class OperatingMode(models.TextChoices):
    SELF_RUN = "self_run", _("Self-run")
    OUTSOURCED = "outsourced", _("Outsourced")


def validate_not_future_year(value: int) -> None:
    """Nothing on the register was built in the future."""
    if value is not None and value > timezone.localdate().year:
        raise ValidationError(_("The year built cannot be in the future."), code="future_year")


class AssetRecord(models.Model):
    """One facility's line in the annual asset statistics report (资产统计年报)."""

    facility = models.ForeignKey(Facility, verbose_name=_("facility"), on_delete=models.CASCADE,
                                 related_name="asset_records")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1949), MaxValueValidator(2100)])
    book_value_fen = models.BigIntegerField(_("book value (fen)"), validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    land_area_m2 = models.DecimalField(_("land area (m²)"), max_digits=12, decimal_places=2,
                                       validators=[MinValueValidator(0)])
    floor_area_m2 = models.DecimalField(_("floor area (m²)"), max_digits=12, decimal_places=2,
                                        validators=[MinValueValidator(0)])
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True,
                                                  validators=[MinValueValidator(1800), validate_not_future_year])
    title_status = models.CharField(_("title status"), max_length=20, choices=TitleStatus.choices)
    operating_mode = models.CharField(_("operating mode"), max_length=20, choices=OperatingMode.choices)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("asset record")
        verbose_name_plural = _("asset records")
        ordering = ["facility_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "year"], name="uniq_asset_record_year",
                                    violation_error_code="duplicate_year",
                                    violation_error_message=_("This facility already has an asset record for this "
                                                              "year.")),
            models.CheckConstraint(condition=Q(book_value_fen__gte=0), name="asset_book_value_non_negative",
                                   violation_error_code="book_value",
                                   violation_error_message=_("The book value cannot be negative.")),
            models.CheckConstraint(condition=Q(year_built__isnull=True) | Q(year_built__lte=F("year")),
                                   name="asset_built_not_after_year", violation_error_code="built_after_year",
                                   violation_error_message=_("The year built cannot be after the year of the "
                                                             "record.")),
            models.CheckConstraint(condition=only_cny(), name="asset_currency_cny", violation_error_code="currency",
                                   violation_error_message=_("Book values are in renminbi (CNY).")),
        ]

    @property
    def owning_organisation(self) -> Organisation:
        return self.facility.organisation
