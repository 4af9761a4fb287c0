"""Who may enrol whom in a scheme, and why not: pure rules, no queries (callers pass what they know).

The scheme list shows the same reasons the enrolment service refuses with, so a member never meets a
refusal the list did not predict. Age is the insured person's age on the term start day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Scheme, SchemeStatus

CATEGORY_FIELDS = {"model_worker": "is_model_worker", "skilled_worker": "skilled_worker",
                   "frontline": "frontline", "retiree": "retiree", "gig_worker": "gig_worker"}
# Which API field a reason blames (the rest are about the scheme or the member, not the request).
REASON_FIELDS = {"shares": "shares", "age": "insured", "birth_date": "insured", "dependants": "insured",
                 "category": "scheme", "not_in_union": "scheme"}
# Reasons that time or the scheme's state cause (409), rather than the request (400) or the member (403).
CONFLICT_REASONS = {"not_open", "window", "already_enrolled"}
FORBIDDEN_REASONS = {"not_verified"}


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class Verdict:
    reasons: list[Reason] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def member_in_category(member, category: str) -> bool:
    return bool(getattr(member, CATEGORY_FIELDS.get(category, category), False))


def in_window(scheme: Scheme, today: date) -> bool:
    return scheme.enrolment_opens_on <= today <= scheme.enrolment_closes_on


def _age_reason(scheme: Scheme, birth_date: date | None) -> Reason | None:
    if scheme.min_age is None and scheme.max_age is None:
        return None
    if birth_date is None:
        return Reason("birth_date", _("Add the insured person's birth date: this scheme has age limits."))
    age = age_on(birth_date, scheme.term_start)
    low, high = scheme.min_age, scheme.max_age
    if (low is not None and age < low) or (high is not None and age > high):
        if low is not None and high is not None:
            limits = _("from %(low)d to %(high)d years") % {"low": low, "high": high}
        elif low is not None:
            limits = _("%(low)d years or older") % {"low": low}
        else:
            limits = _("up to %(high)d years") % {"high": high}
        return Reason("age", _("This scheme covers people aged %(limits)s when the term starts; the insured "
                               "person will be %(age)d.") % {"limits": limits, "age": age})
    return None


def evaluate(scheme: Scheme, *, member, today: date, dependant=None, shares: int | None = None,
             already_enrolled: bool = False) -> Verdict:
    """Every reason `member` cannot enrol the insured person (themself, or `dependant`) with `shares` shares
    today; an empty list means they can."""
    reasons: list[Reason] = []
    if scheme.status != SchemeStatus.OPEN:
        reasons.append(Reason("not_open", _("This scheme is not open for enrolment.")))
    elif not in_window(scheme, today):
        reasons.append(Reason("window", _("Enrolment is open from %(opens)s to %(closes)s.") % {
            "opens": date_format(scheme.enrolment_opens_on, "Y-m-d"),
            "closes": date_format(scheme.enrolment_closes_on, "Y-m-d")}))
    if not member.is_verified:
        reasons.append(Reason("not_verified", _("Your membership must be verified before you can enrol.")))
    if not member.organisation.path.startswith(scheme.organisation.path):
        reasons.append(Reason("not_in_union", _("This scheme is for members of %(union)s.") % {
            "union": scheme.organisation.name}))
    if scheme.member_categories and not any(member_in_category(member, c) for c in scheme.member_categories):
        reasons.append(Reason("category", _("This scheme is for particular groups of members only.")))
    if dependant is not None and not scheme.dependants_allowed:
        reasons.append(Reason("dependants", _("This scheme insures members themselves only, not dependants.")))
    age = _age_reason(scheme, dependant.birth_date if dependant is not None else member.birth_date)
    if age is not None:
        reasons.append(age)
    if shares is not None and not 1 <= shares <= scheme.max_shares:
        reasons.append(Reason("shares", _("Choose from 1 to %(n)d shares.") % {"n": scheme.max_shares}))
    if already_enrolled:
        reasons.append(Reason("already_enrolled", _("This person is already enrolled in this scheme.")))
    return Verdict(reasons)
