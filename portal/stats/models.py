"""The service ledger: one row per service delivered, the unit of every statistic (人次)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
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


class ServiceSource(models.Model):
    """What has been counted, once: (source type, source id) is unique here, in a small unpartitioned table
    written in the same transaction as the ledger row. On PostgreSQL the ledger is partitioned by month, and a
    partitioned table's unique index must include the partition key, so the ledger itself cannot hold it."""

    source_type = models.ForeignKey(ContentType, verbose_name=_("source type"), on_delete=models.PROTECT,
                                    related_name="+")
    source_id = models.PositiveBigIntegerField(_("source id"))

    class Meta:
        verbose_name = _("counted source")
        verbose_name_plural = _("counted sources")
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="uniq_service_source",
                                    violation_error_code="already_counted",
                                    violation_error_message=_("This service has already been counted.")),
        ]


class DailyRollup(models.Model):
    """Sums of the ledger per day and (facility, organisation, kind, channel, category flags): what summaries
    read. Rebuilt per day from the ledger (portal/stats/rollups.py), so it always equals a full recount."""

    date = models.DateField(_("date"))
    facility = models.ForeignKey("facilities.Facility", verbose_name=_("facility"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    model_worker = models.BooleanField(_("model worker"), default=False)
    skilled_worker = models.BooleanField(_("skilled worker"), default=False)
    programme_trip = models.BooleanField(_("programme trip"), default=False)
    persons = models.PositiveBigIntegerField(_("person-times"), default=0)
    nights = models.PositiveBigIntegerField(_("nights"), default=0)
    records = models.PositiveBigIntegerField(_("records"), default=0)

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [
            # One row per key: a second rebuild of the day racing the first fails instead of doubling it. The
            # facility is often empty (mutual aid), and NULLs never clash in a unique index, hence the 0.
            models.UniqueConstraint(
                "date", Coalesce("facility", models.Value(0)), "organisation", "kind", "channel", "model_worker",
                "skilled_worker", "programme_trip", name="uniq_daily_rollup_key",
                violation_error_code="daily_rollup_exists",
                violation_error_message=_("This day's figures for this key are already rolled up.")),
        ]
        indexes = [
            models.Index(fields=["date", "organisation"]),
            models.Index(fields=["organisation", "date"]),
        ]


class MonthlyRollup(models.Model):
    """The summary figures per month and organisation, one row each (sums of the daily rollup): a province-year
    of a federation is a few ten thousand rows, so the dashboard's month and child-organisation views are fast.
    Rebuilt with the daily rows of its month (portal/stats/rollups.py)."""

    month = models.DateField(_("month"))
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="+")
    person_times = models.PositiveBigIntegerField(default=0)
    online_person_times = models.PositiveBigIntegerField(default=0)
    recuperation_trips = models.PositiveBigIntegerField(default=0)
    programme_trips = models.PositiveBigIntegerField(default=0)
    skilled_worker_trips = models.PositiveBigIntegerField(default=0)
    model_worker_trips = models.PositiveBigIntegerField(default=0)
    insured_person_times = models.PositiveBigIntegerField(default=0)
    nights = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("monthly rollup")
        verbose_name_plural = _("monthly rollups")
        constraints = [
            # One row per month and organisation (its index serves the summaries' month-range reads too).
            models.UniqueConstraint(fields=["month", "organisation"], name="uniq_monthly_rollup_key",
                                    violation_error_code="monthly_rollup_exists",
                                    violation_error_message=_("This month's figures for this organisation are "
                                                              "already rolled up.")),
        ]


class RollupDirtyDay(models.Model):
    """A day whose ledger changed since its rollup was last built (written with the ledger row)."""

    date = models.DateField(_("date"), unique=True)
    marked_at = models.DateTimeField(_("marked at"), auto_now=True)

    class Meta:
        verbose_name = _("day to roll up")
        verbose_name_plural = _("days to roll up")


class TargetMetric(models.TextChoices):
    RECUPERATION_TRIPS = "recuperation_trips", _("Recuperation trips")
    SKILLED_WORKER_SHARE = "skilled_worker_share", _("Skilled-worker share of trips (%)")
    INSURED_PERSON_TIMES = "insured_person_times", _("Insured person-times")
    PERSON_TIMES = "person_times", _("Person-times served")
    PALACE_COVERAGE = "palace_coverage", _("Cultural palaces open")


class Target(models.Model):
    """A yearly target an organisation's statistician sets for its whole subtree."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="stats_targets")
    year = models.PositiveSmallIntegerField(_("year"))
    metric = models.CharField(_("metric"), max_length=30, choices=TargetMetric.choices)
    value = models.PositiveBigIntegerField(_("target"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "metric"], name="uniq_stats_target",
                                    violation_error_code="target_exists",
                                    violation_error_message=_("This organisation already has this target for "
                                                              "the year.")),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="stats_target_year",
                                   violation_error_code="target_year",
                                   violation_error_message=_("Choose a year between 2000 and 2100.")),
        ]

    @property
    def owning_organisation(self) -> Organisation:
        return self.organisation


class ExportKind(models.TextChoices):
    SERVICE_RECORDS = "service_records", _("Service records")
    SUMMARY = "summary", _("Summary")
    ASSET_REPORT = "asset_report", _("Annual asset statistics report")
    BOOKINGS = "bookings", _("Activity bookings")
    STAYS = "stays", _("Sanatorium stays")
    ENROLMENTS = "enrolments", _("Mutual aid enrolments")
    CLAIMS = "claims", _("Mutual aid claims")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class Export(models.Model):
    """One export a statistician asked for: written by a Celery task, private to the requester, expires."""

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE,
                                  related_name="stats_exports")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict)
    template = models.ForeignKey("ExportTemplate", verbose_name=_("template"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="runs")
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    row_count = models.PositiveBigIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="private/exports/%Y/%m/", max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # Runs that claimed the export; a run writes only while the count is still its own (a stalled run that
    # was taken over stops). `heartbeat_at` is the last sign of life: the claim, each progress update.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(_("last progress at"), default=timezone.now)
    # The requester's language when they asked: the file's headers and labels are written in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="stats_export_progress_max",
                                   violation_error_code="progress_max",
                                   violation_error_message=_("Progress cannot exceed 100%.")),
        ]
        indexes = [models.Index(fields=["requester", "created_at"]), models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"Export #{self.pk} {self.kind}.{self.format}"

    @property
    def owning_organisation(self) -> Organisation:
        return self.organisation


class ExportTemplate(models.Model):
    """A named set of export choices a statistician re-runs (next month's figures with last month's filters)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
                              related_name="stats_export_templates")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="+")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("export template")
        verbose_name_plural = _("export templates")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="uniq_export_template_name",
                                    violation_error_code="template_name_taken",
                                    violation_error_message=_("You already have a template with this name.")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owning_organisation(self) -> Organisation:
        return self.organisation
