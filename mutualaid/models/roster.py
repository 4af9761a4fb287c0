"""A work-unit roster upload (单位统一参保): minimal here; the roster import module extends it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.members.models import Organisation

from .schemes import Scheme

__all__ = ["RosterImport", "RosterStatus"]


class RosterStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATING = "validating", _("Checking rows")
    INVALID = "invalid", _("Errors found")
    VALID = "valid", _("Ready to confirm")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class RosterImport(models.Model):
    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT,
                               related_name="roster_imports")
    # The grassroots union whose workers the roster lists (in the officer's subtree).
    organisation = models.ForeignKey(Organisation, verbose_name=_("grassroots union"), on_delete=models.PROTECT,
                                     related_name="mutualaid_roster_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(_("roster file"), upload_to="private/rosters/%Y/", max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=RosterStatus.choices,
                              default=RosterStatus.UPLOADED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error_report = models.FileField(_("error report"), upload_to="private/rosters/%Y/", max_length=200,
                                    blank=True)
    # Added by the roster import module (mutualaid/roster/): what the preview and the progress bar show.
    original_name = models.CharField(_("file name"), max_length=100, blank=True)
    encoding = models.CharField(_("CSV encoding"), max_length=12, blank=True)  # empty for XLSX
    errors_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    new_members = models.PositiveIntegerField(_("new members"), default=0)
    matched_members = models.PositiveIntegerField(_("matched members"), default=0)
    failure = models.CharField(_("why it stopped"), max_length=300, blank=True)
    validated_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rows_done__lte=F("rows_total")), name="roster_rows_done_within_total",
                                   violation_error_code="rows_done",
                                   violation_error_message=_("More rows done than the roster holds.")),
            models.CheckConstraint(condition=Q(percent__lte=100), name="roster_percent_range",
                                   violation_error_code="percent",
                                   violation_error_message=_("Progress is at most 100%.")),
        ]

    def __str__(self) -> str:
        return f"Roster #{self.pk} {self.organisation_id} ({self.status})"

    @property
    def enrolments_to_write(self) -> int:
        return self.new_members + self.matched_members

    @property
    def owning_organisation(self) -> Organisation:
        return self.organisation
