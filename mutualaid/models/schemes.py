"""A mutual-aid scheme: who runs it, for which term, at what price per share, for whom, and what it pays.

One scheme is one term period (term_start..term_end); next year's scheme is a new row, and an enrolment
in it right after one in the previous term of the same organisation and kind is a renewal (no waiting
period). Benefit amounts are per share; a member with three shares gets three times the amount, and the
caps scale the same way.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.currency import Currency, only_cny
from portal.members.models import Organisation

__all__ = ["MAX_SHARES_LIMIT", "MAX_WAITING_DAYS", "Scheme", "SchemeKind", "SchemeStatus", "add_years"]

MAX_SHARES_LIMIT = 100  # no real scheme sells more; a larger number is a typing slip
MAX_WAITING_DAYS = 365


def add_years(day, years: int):
    """The same calendar day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class SchemeKind(models.TextChoices):
    INPATIENT = "inpatient", _("In-hospital medical aid")
    CRITICAL_ILLNESS = "critical_illness", _("Critical illness aid")
    ACCIDENT = "accident", _("Accidental injury aid")
    WOMENS_ILLNESS = "womens_illness", _("Women's specific illness aid")
    OTHER = "other", _("Other aid")


# Kinds whose benefit is a lump sum per share for a listed illness.
LUMP_SUM_KINDS = (SchemeKind.CRITICAL_ILLNESS, SchemeKind.WOMENS_ILLNESS)


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Scheme(models.Model):
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="mutualaid_schemes")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SchemeKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    # Term: one scheme row is one term period.
    term_years = models.PositiveSmallIntegerField(_("term (years)"), default=1,
                                                  validators=[MinValueValidator(1), MaxValueValidator(3)])
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    # Price.
    contribution_fen = models.PositiveIntegerField(_("contribution per share per term (fen)"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    union_funded = models.BooleanField(_("paid by the union"), default=False,
                                       help_text=_("enrolment is confirmed without a payment by the member"))
    max_shares = models.PositiveSmallIntegerField(_("maximum shares per person"), default=1,
                                                  validators=[MinValueValidator(1),
                                                              MaxValueValidator(MAX_SHARES_LIMIT)])
    # Eligibility.
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    member_categories = models.JSONField(_("member categories"), default=list, blank=True,
                                         help_text=_("empty: every member; otherwise any of these categories"))
    dependants_allowed = models.BooleanField(_("dependants may be insured"), default=True)
    enrolment_opens_on = models.DateField(_("enrolment opens"))
    enrolment_closes_on = models.DateField(_("enrolment closes"))
    waiting_period_days = models.PositiveSmallIntegerField(_("waiting period (days)"), default=0,
                                                           validators=[MaxValueValidator(MAX_WAITING_DAYS)])
    # Benefit schedule, every amount per share.
    # In-hospital: a per-day allowance and/or a ratio of the eligible amount above a deductible.
    per_day_allowance_fen = models.PositiveIntegerField(_("allowance per day in hospital (fen)"), default=0)
    ratio_percent = models.PositiveSmallIntegerField(_("share of the eligible amount paid (%)"), default=0,
                                                     validators=[MaxValueValidator(100)])
    deductible_fen = models.PositiveIntegerField(_("deductible (fen)"), default=0)
    # Critical / women's illness: a lump sum for any listed illness.
    lump_sum_fen = models.PositiveIntegerField(_("lump sum (fen)"), default=0)
    illnesses = models.JSONField(_("listed illnesses"), default=list, blank=True)
    # Accident: injury class -> amount per share (fen).
    injury_schedule = models.JSONField(_("amount by injury class"), default=dict, blank=True)
    # Caps for every kind.
    cap_per_claim_fen = models.PositiveIntegerField(_("cap per claim (fen)"))
    cap_per_term_fen = models.PositiveIntegerField(_("cap per term (fen)"))
    # Dashboard alert: loss ratio (paid / contributions) above this sends one alert per crossing.
    alert_loss_ratio_percent = models.PositiveSmallIntegerField(
        _("loss-ratio alert threshold (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(1000)])
    loss_alert_sent_at = models.DateTimeField(_("loss-ratio alert sent"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mutual-aid scheme")
        verbose_name_plural = _("mutual-aid schemes")
        ordering = ["-term_start", "title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(term_years__gte=1, term_years__lte=3), name="scheme_term_years_range",
                                   violation_error_code="term_years",
                                   violation_error_message=_("A term is one to three years.")),
            models.CheckConstraint(condition=Q(term_end__gt=F("term_start")), name="scheme_term_order",
                                   violation_error_code="term_order",
                                   violation_error_message=_("The term must end after it starts.")),
            models.CheckConstraint(condition=Q(enrolment_closes_on__gte=F("enrolment_opens_on")),
                                   name="scheme_window_order", violation_error_code="window_order",
                                   violation_error_message=_("Enrolment must close on or after the day it opens.")),
            models.CheckConstraint(condition=Q(enrolment_opens_on__lte=F("term_end")), name="scheme_window_in_term",
                                   violation_error_code="window_after_term",
                                   violation_error_message=_("Enrolment must open before the term ends.")),
            models.CheckConstraint(condition=Q(max_shares__gte=1, max_shares__lte=MAX_SHARES_LIMIT),
                                   name="scheme_max_shares_range", violation_error_code="max_shares",
                                   violation_error_message=_("Allow between 1 and 100 shares per person.")),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=F("max_age")),
                name="scheme_age_range", violation_error_code="age_range",
                violation_error_message=_("The maximum age cannot be below the minimum age.")),
            models.CheckConstraint(condition=Q(contribution_fen__gt=0) | Q(union_funded=True),
                                   name="scheme_contribution_positive", violation_error_code="contribution",
                                   violation_error_message=_("Enter the contribution per share.")),
            models.CheckConstraint(condition=Q(waiting_period_days__lte=MAX_WAITING_DAYS),
                                   name="scheme_waiting_period_sane", violation_error_code="waiting_period",
                                   violation_error_message=_("A waiting period is at most 365 days.")),
            models.CheckConstraint(condition=Q(ratio_percent__lte=100), name="scheme_ratio_percent_range",
                                   violation_error_code="ratio_percent",
                                   violation_error_message=_("The share paid is at most 100%.")),
            models.CheckConstraint(condition=Q(cap_per_claim_fen__gt=0), name="scheme_cap_per_claim_positive",
                                   violation_error_code="cap_per_claim",
                                   violation_error_message=_("Enter the most one claim can pay per share.")),
            models.CheckConstraint(condition=Q(cap_per_term_fen__gte=F("cap_per_claim_fen")),
                                   name="scheme_term_cap_covers_claim_cap", violation_error_code="cap_per_term",
                                   violation_error_message=_("The cap per term cannot be below the cap per claim.")),
            models.CheckConstraint(condition=Q(alert_loss_ratio_percent__gte=1, alert_loss_ratio_percent__lte=1000),
                                   name="scheme_alert_ratio_range", violation_error_code="alert_ratio",
                                   violation_error_message=_("Enter an alert threshold between 1% and 1000%.")),
            models.CheckConstraint(condition=only_cny(), name="scheme_currency_cny", violation_error_code="currency",
                                   violation_error_message=_("Prices are in renminbi (CNY).")),
        ]
        indexes = [models.Index(fields=["status", "enrolment_closes_on"]),
                   models.Index(fields=["organisation", "kind", "term_start"])]

    def __str__(self) -> str:
        return self.title

    @property
    def owning_organisation(self) -> Organisation:
        return self.organisation

    def price_fen(self, shares: int) -> int:
        """What `shares` shares cost for the term (0 to the member when the union pays)."""
        return self.contribution_fen * shares
