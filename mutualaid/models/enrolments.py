"""One insured person's cover under a scheme: the member themself or one of their dependants.

A person holds at most one non-cancelled enrolment per scheme (two partial unique indexes: one for the
member insuring themself, one per dependant). The certificate code is 128 random bits: it is the only key
of the public verification page, so it must be unguessable.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.currency import Currency, only_cny
from portal.members.models import Dependant, Member, Organisation

from .schemes import Scheme

__all__ = ["COVERING_STATUSES", "Enrolment", "EnrolmentSource", "EnrolmentStatus", "new_certificate_code"]


def new_certificate_code() -> str:
    return secrets.token_urlsafe(16)


class EnrolmentStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# Statuses that hold the person's place in the scheme (everything but cancelled).
HOLDING_STATUSES = (EnrolmentStatus.PENDING_PAYMENT, EnrolmentStatus.ACTIVE, EnrolmentStatus.EXPIRED)
# Statuses under which claims for events inside the cover period are accepted.
COVERING_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.EXPIRED)


class EnrolmentSource(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ROSTER = "roster", _("Work-unit roster")


class Enrolment(models.Model):
    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT,
                               related_name="enrolments")
    # The member who enrols (and pays); the insured person is this member unless insured_dependant is set.
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="mutualaid_enrolments")
    insured_dependant = models.ForeignKey(Dependant, verbose_name=_("insured dependant"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="mutualaid_enrolments")
    shares = models.PositiveSmallIntegerField(_("shares"))
    status = models.CharField(_("status"), max_length=20, choices=EnrolmentStatus.choices)
    cover_starts_on = models.DateField(_("cover starts"))
    renewal = models.BooleanField(_("renewal without a gap"), default=False)
    amount_fen = models.PositiveIntegerField(_("contribution (fen)"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    source = models.CharField(_("source"), max_length=10, choices=EnrolmentSource.choices,
                              default=EnrolmentSource.INDIVIDUAL)
    roster_import = models.ForeignKey("mutualaid.RosterImport", verbose_name=_("roster import"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="enrolments")
    certificate_code = models.CharField(_("certificate code"), max_length=32, default=new_certificate_code,
                                        editable=False)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    renewal_reminded_at = models.DateTimeField(_("renewal reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "member"], condition=Q(insured_dependant__isnull=True) & ~Q(status="cancelled"),
                name="uniq_enrolment_self_per_scheme", violation_error_code="already_enrolled_self",
                violation_error_message=_("This person is already enrolled in this scheme.")),
            models.UniqueConstraint(
                fields=["scheme", "insured_dependant"],
                condition=Q(insured_dependant__isnull=False) & ~Q(status="cancelled"),
                name="uniq_enrolment_dependant_per_scheme", violation_error_code="already_enrolled_dependant",
                violation_error_message=_("This person is already enrolled in this scheme.")),
            models.UniqueConstraint(fields=["certificate_code"], name="uniq_enrolment_certificate_code",
                                    violation_error_code="certificate_code_taken",
                                    violation_error_message=_("This certificate code is already in use.")),
            models.CheckConstraint(condition=Q(shares__gte=1), name="enrolment_shares_positive",
                                   violation_error_code="shares",
                                   violation_error_message=_("Enrol for at least one share.")),
            models.CheckConstraint(condition=Q(source="individual") | Q(roster_import__isnull=False),
                                   name="enrolment_roster_source", violation_error_code="roster_missing",
                                   violation_error_message=_("A roster enrolment must name its roster import.")),
            models.CheckConstraint(condition=only_cny(), name="enrolment_currency_cny",
                                   violation_error_code="currency",
                                   violation_error_message=_("Prices are in renminbi (CNY).")),
        ]
        indexes = [models.Index(fields=["member", "status"]), models.Index(fields=["scheme", "status"]),
                   models.Index(fields=["status", "renewal_reminded_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.scheme_id} {self.insured_name} ({self.status})"

    @property
    def owning_organisation(self) -> Organisation:
        return self.scheme.organisation

    @property
    def insures_self(self) -> bool:
        return self.insured_dependant_id is None

    @property
    def insured_name(self) -> str:
        return self.member.real_name if self.insures_self else self.insured_dependant.name

    @property
    def insured_birth_date(self):
        return self.member.birth_date if self.insures_self else self.insured_dependant.birth_date

    @property
    def cover_ends_on(self):
        return self.scheme.term_end
