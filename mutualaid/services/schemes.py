"""Setting schemes up and changing them, and the loss-ratio alert.

The alert goes once per crossing: when a scheme's loss ratio (claims paid / contributions) passes its
threshold, its mutual-aid officers get an in-app message and an email; `loss_alert_sent_at` is claimed by a
conditional UPDATE, so concurrent payouts alert once. Falling back under the threshold re-arms it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portal import constraints
from portal.errors import Conflict, NotFound
from portal.members import permissions
from portal.members.permissions import Action
from portal.notifications.services import notify

from .. import selectors
from ..eligibility import CATEGORY_FIELDS
from ..models import Scheme, SchemeStatus, add_years
from ._common import now

SCHEME_FIELDS = (
    "title", "description", "kind", "status", "term_years", "term_start", "term_end", "contribution_fen",
    "union_funded", "max_shares", "min_age", "max_age", "member_categories", "dependants_allowed",
    "enrolment_opens_on", "enrolment_closes_on", "waiting_period_days", "per_day_allowance_fen", "ratio_percent",
    "deductible_fen", "lump_sum_fen", "illnesses", "injury_schedule", "cap_per_claim_fen", "cap_per_term_fen",
    "alert_loss_ratio_percent",
)
# Once people are enrolled, these decide what they paid for and what they are owed: frozen.
FROZEN_WHEN_ENROLLED = ("kind", "term_start", "term_end", "contribution_fen", "union_funded", "per_day_allowance_fen",
                        "ratio_percent", "deductible_fen", "lump_sum_fen", "illnesses", "injury_schedule",
                        "cap_per_claim_fen", "cap_per_term_fen", "waiting_period_days")
MAX_LIST_ITEMS = 100
MAX_AMOUNT_FEN = 1_000_000_000  # ten million yuan, as the API's other amounts


def _require(actor, target) -> None:
    if not permissions.can(actor, Action.MANAGE_SCHEME, target):
        raise NotFound()


def _check_schedule(scheme: Scheme) -> None:
    errors: dict[str, list[str]] = {}
    categories = scheme.member_categories
    if not isinstance(categories, list) or any(c not in CATEGORY_FIELDS for c in categories):
        errors["member_categories"] = [_("Choose member categories from the list.")]
    illnesses = scheme.illnesses
    if (not isinstance(illnesses, list) or len(illnesses) > MAX_LIST_ITEMS
            or any(not isinstance(i, str) or not i.strip() or len(i) > 100 for i in illnesses)):
        errors["illnesses"] = [_("List the illnesses as names of at most 100 characters each.")]
    schedule = scheme.injury_schedule
    if (not isinstance(schedule, dict) or len(schedule) > MAX_LIST_ITEMS
            or any(not isinstance(k, str) or not k.strip() or len(k) > 40 for k in schedule)
            or any(not isinstance(v, int) or isinstance(v, bool) or not 0 < v <= MAX_AMOUNT_FEN
                   for v in schedule.values())):
        errors["injury_schedule"] = [_("Give each injury class (at most 40 characters) an amount in fen above "
                                       "zero.")]
    if scheme.kind == "inpatient" and not (scheme.per_day_allowance_fen or scheme.ratio_percent):
        errors["per_day_allowance_fen"] = [_("An in-hospital scheme pays a daily allowance, a share of the costs, "
                                             "or both.")]
    if scheme.kind == "accident" and not schedule:
        errors["injury_schedule"] = [_("An accident scheme needs an amount for at least one injury class.")]
    if scheme.kind in ("critical_illness", "womens_illness", "other") and not scheme.lump_sum_fen:
        errors["lump_sum_fen"] = [_("Enter the lump sum per share.")]
    if scheme.term_start and scheme.term_end and add_years(scheme.term_start, 3) < scheme.term_end:
        errors["term_end"] = [_("A term is one to three years.")]
    if errors:
        raise ValidationError(errors)


def scheme_create(*, actor, organisation, **data) -> Scheme:
    _require(actor, organisation)
    scheme = Scheme(organisation=organisation, **{k: v for k, v in data.items() if k in SCHEME_FIELDS})
    _check_schedule(scheme)
    constraints.full_clean(scheme)
    scheme.save()
    return scheme


def scheme_update(*, actor, scheme: Scheme, data: dict) -> Scheme:
    """Change a scheme; its price, term and benefit schedule are frozen once anyone has enrolled."""
    _require(actor, scheme)
    changed = [f for f in FROZEN_WHEN_ENROLLED if f in data and data[f] != getattr(scheme, f)]
    if changed and scheme.enrolments.exists():
        raise Conflict(_("People are enrolled: the term, price and benefits can no longer change."),
                       code="frozen", errors={f: [_("Frozen once people are enrolled.")] for f in changed})
    for field, value in data.items():
        if field in SCHEME_FIELDS:
            setattr(scheme, field, value)
    _check_schedule(scheme)
    constraints.full_clean(scheme)
    with transaction.atomic():
        scheme.save()
    return scheme


def scheme_set_status(*, actor, scheme: Scheme, status: str) -> Scheme:
    _require(actor, scheme)
    if status not in SchemeStatus.values:
        raise ValidationError({"status": [_("Choose draft, open or closed.")]})
    Scheme.objects.filter(pk=scheme.pk).update(status=status, updated_at=now())
    scheme.refresh_from_db()
    return scheme


def loss_ratio_check(*, scheme_id: int) -> bool:
    """Alert the scheme's officers (in-app and email) when its loss ratio passes the threshold, once per
    crossing. Returns True when an alert was sent now."""
    scheme = selectors.scheme_with_figures(scheme_id=scheme_id)
    above = scheme.loss_ratio is not None and scheme.loss_ratio > scheme.alert_loss_ratio_percent
    if not above:
        Scheme.objects.filter(pk=scheme.pk, loss_alert_sent_at__isnull=False).update(loss_alert_sent_at=None)
        return False
    if not Scheme.objects.filter(pk=scheme.pk, loss_alert_sent_at__isnull=True).update(loss_alert_sent_at=now()):
        return False
    for user in selectors.officers_of(scheme):
        notify(user=user, kind="mutualaid_loss_ratio_alert", link=reverse("frontend:console:mutualaid"),
               context={"scheme": scheme.title, "ratio": scheme.loss_ratio,
                        "threshold": scheme.alert_loss_ratio_percent})
    return True
