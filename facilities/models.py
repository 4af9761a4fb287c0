"""Cultural palaces and sanatoriums owned by a union."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.members.models import Organisation, region_code_validator


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
