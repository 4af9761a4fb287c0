"""Recuperation programmes: batches, quota allocations down the union tree, applications and approvals.

Correctness lives here as constraints. A quota allocation's counters never leave their bounds:
`used + allocated_to_children <= places` and, for the places reserved for skilled workers,
`(used - skilled_used) + allocated_to_children + skilled_reserved <= places` (places other members take, or
give to child unions, never eat into the reservation). A batch's `participants` never exceed its places. A member
holds at most one active application per batch (a partial unique index).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility
from portal.members.models import Member, ModelWorkerLevel, Organisation

__all__ = [
    "ACTIVE_APPLICATION_STATUSES",
    "PLACE_HOLDING_STATUSES",
    "TRIP_STATUSES",
    "Application",
    "ApplicationAction",
    "ApplicationStatus",
    "ApplicationStep",
    "Batch",
    "BatchStatus",
    "ELIGIBILITY_CATEGORIES",
    "MAX_BATCH_PLACES",
    "Programme",
    "ProgrammeStatus",
    "QuotaAllocation",
]

# A batch larger than this is a typing slip (a sanatorium block holds a few hundred people at most).
MAX_BATCH_PLACES = 5_000

# Member categories a programme may ask for (any of them qualifies); names match Member's boolean fields,
# except model_worker (any model-worker level at or above the programme's minimum).
ELIGIBILITY_CATEGORIES = [
    ("model_worker", _("Model workers")),
    ("skilled_worker", _("Skilled workers")),
    ("frontline", _("Frontline workers")),
    ("retiree", _("Retirees")),
    ("gig_worker", _("Gig workers")),
]


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Programme(models.Model):
    title = models.CharField(_("title"), max_length=200)
    organisation = models.ForeignKey(Organisation, verbose_name=_("running organisation"),
                                     on_delete=models.PROTECT, related_name="programmes")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000),
                                                                   MaxValueValidator(2100)])
    description = models.TextField(_("description"), blank=True)
    # Eligibility (bookings/eligibility.py reads these).
    min_model_worker_level = models.CharField(_("minimum model-worker level"), max_length=12,
                                              choices=ModelWorkerLevel.choices, default=ModelWorkerLevel.NONE)
    categories = models.JSONField(_("member categories"), default=list, blank=True,
                                  help_text=_("empty: every member; otherwise any of these categories"))
    min_membership_years = models.PositiveSmallIntegerField(_("minimum years of membership"), default=0,
                                                            validators=[MaxValueValidator(60)])
    once_in_years = models.PositiveSmallIntegerField(_("at most one trip in this many years"), default=1,
                                                     validators=[MinValueValidator(1), MaxValueValidator(20)])
    priority_never_been = models.BooleanField(_("members who have never been come first"), default=True)
    skilled_share_percent = models.PositiveSmallIntegerField(
        _("share of places reserved for skilled workers (%)"), default=20, validators=[MaxValueValidator(100)])
    status = models.CharField(_("status"), max_length=10, choices=ProgrammeStatus.choices,
                              default=ProgrammeStatus.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recuperation programme")
        verbose_name_plural = _("recuperation programmes")
        constraints = [
            models.CheckConstraint(condition=Q(once_in_years__gte=1), name="programme_once_in_years_positive",
                                   violation_error_code="once_in_years",
                                   violation_error_message=_("Allow at least one trip in one year.")),
            models.CheckConstraint(condition=Q(skilled_share_percent__lte=100), name="programme_skilled_share_max",
                                   violation_error_code="skilled_share",
                                   violation_error_message=_("The skilled workers' share is at most 100%.")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owning_organisation(self) -> Organisation:
        return self.organisation


class BatchStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Batch(models.Model):
    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.PROTECT,
                                  related_name="batches")
    sanatorium = models.ForeignKey(Facility, verbose_name=_("sanatorium"), on_delete=models.PROTECT,
                                   related_name="batches")
    start_date = models.DateField(_("arrival"))
    end_date = models.DateField(_("departure"))
    places = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1),
                                                                  MaxValueValidator(MAX_BATCH_PLACES)])
    # Confirmed participants placed in the room block; changed only by conditional UPDATEs.
    participants = models.IntegerField(_("participants"), default=0)
    route = models.TextField(_("route"), blank=True)
    applications_open = models.DateField(_("applications open"))
    applications_close = models.DateField(_("applications close"))
    handback_cutoff = models.DateField(_("unused places handed back by"))
    # The room block taken from the sanatorium's nights when the batch is created (released if cancelled);
    # participants are placed in it on confirmation, so places never exceed rooms x beds.
    room_type = models.ForeignKey("facilities.RoomType", verbose_name=_("room type"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="batches")
    rooms = models.PositiveIntegerField(_("rooms in the block"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices,
                              default=BatchStatus.SCHEDULED)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gt=F("start_date")), name="batch_ends_after_start",
                                   violation_error_code="end_before_start",
                                   violation_error_message=_("The departure must be after the arrival.")),
            models.CheckConstraint(condition=Q(applications_close__gte=F("applications_open")),
                                   name="batch_application_window",
                                   violation_error_code="window_order",
                                   violation_error_message=_("Applications must close on or after the day they "
                                                             "open.")),
            models.CheckConstraint(condition=Q(places__gte=1), name="batch_places_positive",
                                   violation_error_code="places_positive",
                                   violation_error_message=_("A batch has at least one place.")),
            models.CheckConstraint(condition=Q(room_type__isnull=True) | Q(rooms__gte=1), name="batch_block_has_rooms",
                                   violation_error_code="block_rooms",
                                   violation_error_message=_("A room block has at least one room.")),
            models.CheckConstraint(condition=Q(participants__gte=0) & Q(participants__lte=F("places")),
                                   name="batch_participants_within_places",
                                   violation_error_code="over_places",
                                   violation_error_message=_("The batch cannot have more participants than "
                                                             "places.")),
        ]
        indexes = [models.Index(fields=["start_date"])]

    def __str__(self) -> str:
        return f"{self.programme.title} · {self.start_date:%Y-%m-%d}"

    @property
    def owning_organisation(self) -> Organisation:
        return self.programme.organisation

    @property
    def nights(self) -> int:
        return (self.end_date - self.start_date).days


class QuotaAllocation(models.Model):
    """Places of a batch held by one organisation. The running organisation's root allocation holds all the
    batch's places; each child allocation's places come out of its parent's (`allocated_to_children`)."""

    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.CASCADE,
                              related_name="allocations")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="quota_allocations")
    parent = models.ForeignKey("self", verbose_name=_("allocated by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    places = models.IntegerField(_("places"), default=0)
    allocated_to_children = models.IntegerField(_("allocated to child unions"), default=0)
    used = models.IntegerField(_("used"), default=0)
    skilled_used = models.IntegerField(_("used by skilled workers"), default=0)
    skilled_reserved = models.IntegerField(_("reserved for skilled workers"), default=0)
    handed_back = models.IntegerField(_("handed back"), default=0)

    class Meta:
        verbose_name = _("quota allocation")
        verbose_name_plural = _("quota allocations")
        constraints = [
            models.UniqueConstraint(fields=["batch", "organisation"], name="uniq_allocation_per_batch_org",
                                    violation_error_code="duplicate_allocation",
                                    violation_error_message=_("This union already holds places of this batch.")),
            models.CheckConstraint(
                condition=Q(places__gte=0) & Q(allocated_to_children__gte=0) & Q(used__gte=0)
                & Q(skilled_used__gte=0) & Q(skilled_reserved__gte=0) & Q(handed_back__gte=0),
                name="allocation_counters_non_negative", violation_error_code="negative",
                violation_error_message=_("More places were released than were taken.")),
            models.CheckConstraint(condition=Q(used__lte=F("places") - F("allocated_to_children")),
                                   name="allocation_within_places", violation_error_code="over_allocated",
                                   violation_error_message=_("Used and re-allocated places cannot exceed the "
                                                             "places held.")),
            models.CheckConstraint(condition=Q(skilled_used__lte=F("used")), name="allocation_skilled_within_used",
                                   violation_error_code="skilled_used",
                                   violation_error_message=_("Skilled workers cannot use more places than are "
                                                             "used.")),
            models.CheckConstraint(
                condition=Q(skilled_reserved__lte=F("places") - F("allocated_to_children") - F("used")
                            + F("skilled_used")),
                name="allocation_skilled_reservation_kept", violation_error_code="skilled_reserved",
                violation_error_message=_("The places reserved for skilled workers cannot be used by others or "
                                          "allocated on.")),
        ]
        indexes = [models.Index(fields=["batch", "parent"])]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.batch}"

    @property
    def owning_organisation(self) -> Organisation:
        return self.organisation

    @property
    def free(self) -> int:
        """Places nobody uses and no child union holds (skilled workers may take all of them)."""
        return max(self.places - self.allocated_to_children - self.used, 0)

    @property
    def free_for_others(self) -> int:
        """Free places a member who is not a skilled worker may take: the reservation's unused part excluded."""
        reserved_left = max(self.skilled_reserved - self.skilled_used, 0)
        return max(self.free - reserved_left, 0)


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved by the union")
    CONFIRMED = "confirmed", _("Confirmed")
    CHECKED_IN = "checked_in", _("Checked in")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED,
                               ApplicationStatus.CONFIRMED, ApplicationStatus.CHECKED_IN)
# Statuses that hold a quota place (taken at the union's approval, given back on rejection or withdrawal).
PLACE_HOLDING_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.CONFIRMED, ApplicationStatus.CHECKED_IN)
# Trips that count for "at most once in N years" and "never been".
TRIP_STATUSES = (*PLACE_HOLDING_STATUSES, ApplicationStatus.COMPLETED)


class Application(models.Model):
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="programme_applications")
    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.PROTECT,
                              related_name="applications")
    allocation = models.ForeignKey(QuotaAllocation, verbose_name=_("place taken from"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="applications")
    # The place came out of the skilled workers' reservation count (given back to it on release).
    skilled_place = models.BooleanField(_("skilled worker's place"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    # Members who have never been on a programme trip come first in the approval queue.
    never_been = models.BooleanField(_("never been before"), default=False)
    nominated = models.BooleanField(_("nominated by the union"), default=False)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("nominated by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("programme application")
        verbose_name_plural = _("programme applications")
        constraints = [
            models.UniqueConstraint(fields=["member", "batch"], condition=Q(status__in=ACTIVE_APPLICATION_STATUSES),
                                    name="uniq_active_application_per_member_batch",
                                    violation_error_code="already_applied",
                                    violation_error_message=_("You already have an application for this batch.")),
            models.CheckConstraint(
                condition=Q(allocation__isnull=False) | ~Q(status__in=PLACE_HOLDING_STATUSES),
                name="application_place_when_approved", violation_error_code="no_place",
                violation_error_message=_("An approved application holds a place.")),
        ]
        indexes = [models.Index(fields=["batch", "status"]), models.Index(fields=["member", "status"])]

    def __str__(self) -> str:
        return f"{self.member} · {self.batch}"

    @property
    def owning_organisation(self) -> Organisation:
        """The member's grassroots union: its officers (and those above) approve."""
        return self.member.organisation


class ApplicationAction(models.TextChoices):
    SUBMIT = "submit", _("Applied")
    NOMINATE = "nominate", _("Nominated by the union")
    APPROVE = "approve", _("Approved by the union")
    REJECT = "reject", _("Rejected")
    CONFIRM = "confirm", _("Confirmed by the organisers")
    WITHDRAW = "withdraw", _("Withdrawn")
    CANCEL = "cancel", _("Cancelled")
    CHECK_IN = "check_in", _("Checked in")
    CHECK_OUT = "check_out", _("Checked out")


class ApplicationStep(models.Model):
    """One step of an application's timeline: who, when, what and why. Rows are only ever added."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.CASCADE,
                                    related_name="steps")
    action = models.CharField(_("action"), max_length=12, choices=ApplicationAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["created_at", "id"]

    @property
    def owning_organisation(self) -> Organisation:
        return self.application.member.organisation
