"""The service ledger: one row per service delivered, the unit of every statistic (人次)."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.members.models import Organisation


class ServiceKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    STAY = "stay", _("Sanatorium stay")
    MUTUAL_AID = "mutual_aid", _("Mutual aid")
    WALK_IN = "walk_in", _("Walk-in")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline")


class ServiceRecord(models.Model):
    date = models.DateField(_("date"))
    facility = models.ForeignKey("facilities.Facility", verbose_name=_("facility"), null=True, blank=True,
                                 on_delete=models.PROTECT,
                                 related_name="service_records")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="service_records")
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    model_worker = models.BooleanField(_("model worker"), default=False)
    skilled_worker = models.BooleanField(_("skilled worker"), default=False)
    persons = models.PositiveIntegerField(_("person-times"), default=1)
    # Room-nights behind a stay record (0 for everything that is not a night's lodging).
    nights = models.PositiveIntegerField(_("nights"), default=0)
    # A recuperation programme trip (allocated and approved), as opposed to a stay a member booked for themself.
    programme_trip = models.BooleanField(_("programme trip"), default=False)
    # What produced the record (a booking, a stay, a claim, a walk-in count): unique, so a retry never counts twice.
    source_type = models.ForeignKey(ContentType, verbose_name=_("source type"), on_delete=models.PROTECT)
    source_id = models.PositiveBigIntegerField(_("source id"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="uniq_service_record_source",
                                    violation_error_code="already_counted",
                                    violation_error_message=_("This service has already been counted.")),
            models.CheckConstraint(condition=models.Q(persons__gte=1), name="service_record_persons_positive",
                                   violation_error_code="persons_positive",
                                   violation_error_message=_("Count at least one person.")),
        ]
        indexes = [
            models.Index(fields=["organisation", "date"]),
            models.Index(fields=["facility", "date"]),
            models.Index(fields=["date", "kind", "channel"]),
        ]

    @property
    def owning_organisation(self) -> Organisation:
        return self.organisation
