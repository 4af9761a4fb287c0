"""Claims for benefit (互助金申请), their supporting documents and their review timeline.

The same event cannot be claimed twice under one enrolment: a partial unique index on (enrolment, event
type, event date) over every claim that was not rejected. The payout account's full number is kept only
for the payout step; everywhere else it is shown as its last four digits.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.currency import Currency, only_cny
from portal.members.models import Organisation

from .enrolments import Enrolment

__all__ = ["Claim", "ClaimAction", "ClaimDocument", "ClaimStatus", "ClaimStep", "DocumentKind", "EventType",
           "OPEN_CLAIM_STATUSES", "PAYING_CLAIM_STATUSES"]


class EventType(models.TextChoices):
    HOSPITALISATION = "hospitalisation", _("Hospital stay")
    CRITICAL_ILLNESS = "critical_illness", _("Illness diagnosis")
    ACCIDENT = "accident", _("Accident")


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    MORE_INFO = "more_info", _("More documents needed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


OPEN_CLAIM_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.MORE_INFO)
# Claims whose approved amount counts against the cap per term.
PAYING_CLAIM_STATUSES = (ClaimStatus.APPROVED, ClaimStatus.PAID)


class Claim(models.Model):
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT,
                                  related_name="claims")
    event_type = models.CharField(_("event"), max_length=20, choices=EventType.choices)
    # The date that places the event in the cover period: admission, diagnosis or accident date.
    event_on = models.DateField(_("event date"))
    admission_on = models.DateField(_("admitted on"), null=True, blank=True)
    discharge_on = models.DateField(_("discharged on"), null=True, blank=True)
    diagnosis_on = models.DateField(_("diagnosed on"), null=True, blank=True)
    accident_on = models.DateField(_("accident on"), null=True, blank=True)
    injury_class = models.CharField(_("injury class"), max_length=40, blank=True)
    illness = models.CharField(_("illness"), max_length=100, blank=True)
    amount_claimed_fen = models.PositiveIntegerField(_("amount claimed (fen)"))
    # Medical costs the scheme counts (in-hospital ratio schemes pay a share of this above the deductible).
    eligible_amount_fen = models.PositiveIntegerField(_("eligible medical costs (fen)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    bank_name = models.CharField(_("bank"), max_length=100)
    bank_account = models.CharField(_("account number"), max_length=34)  # payout step only; shown masked
    bank_account_last4 = models.CharField(_("account (last 4)"), max_length=4)
    status = models.CharField(_("status"), max_length=12, choices=ClaimStatus.choices,
                              default=ClaimStatus.SUBMITTED)
    suggested_payout_fen = models.PositiveIntegerField(_("suggested payout (fen)"), default=0)
    working = models.JSONField(_("working"), default=list, blank=True)
    approved_amount_fen = models.PositiveIntegerField(_("approved amount (fen)"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    payout_reference = models.CharField(_("payout reference"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "event_type", "event_on"],
                                    condition=~Q(status="rejected"), name="uniq_claim_event_per_enrolment",
                                    violation_error_code="duplicate_event",
                                    violation_error_message=_("This event has already been claimed.")),
            models.CheckConstraint(
                condition=Q(admission_on__isnull=True) | Q(discharge_on__isnull=True)
                | Q(discharge_on__gte=F("admission_on")),
                name="claim_discharge_after_admission", violation_error_code="discharge_order",
                violation_error_message=_("The discharge date cannot be before the admission date.")),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"]) | Q(approved_amount_fen__isnull=False),
                name="claim_approved_has_amount", violation_error_code="approved_amount",
                violation_error_message=_("Enter the approved amount.")),
            models.CheckConstraint(condition=~Q(status="paid") | ~Q(payout_reference=""),
                                   name="claim_paid_has_reference", violation_error_code="payout_reference",
                                   violation_error_message=_("Enter the payout reference.")),
            models.CheckConstraint(condition=only_cny(), name="claim_currency_cny", violation_error_code="currency",
                                   violation_error_message=_("Amounts are in renminbi (CNY).")),
        ]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["enrolment", "status"])]

    def __str__(self) -> str:
        return f"Claim #{self.pk} ({self.status})"

    @property
    def owning_organisation(self) -> Organisation:
        return self.enrolment.scheme.organisation

    @property
    def bank_account_masked(self) -> str:
        return f"•••• {self.bank_account_last4}"


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Medical invoice")
    DISCHARGE = "discharge", _("Discharge summary")
    DIAGNOSIS = "diagnosis", _("Diagnosis certificate")
    ACCIDENT = "accident", _("Accident report")
    BANK = "bank", _("Bank card")
    OTHER = "other", _("Other")


class ClaimDocument(models.Model):
    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    # Stored under private/claims/ with a random name (portal.uploads); served only by a permission check.
    file = models.FileField(_("file"), upload_to="private/claims/%Y/", max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    original_name = models.CharField(_("original name"), max_length=150, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"Document #{self.pk} of claim {self.claim_id}"

    @property
    def owning_organisation(self) -> Organisation:
        return self.claim.owning_organisation


class ClaimAction(models.TextChoices):
    SUBMITTED = "submitted", _("Claim submitted")
    MORE_INFO = "more_info", _("More documents requested")
    DOCUMENTS_ADDED = "documents_added", _("Documents added")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid out")


class ClaimStep(models.Model):
    """One entry in the claim's timeline; the member sees all of them, with their messages."""

    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="steps")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=ClaimAction.choices)
    message = models.TextField(_("message"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim step")
        verbose_name_plural = _("claim steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.action}"
