"""Who may go on a recuperation programme: pure functions of the programme's rules and the member's profile.

No database here, so the rules can be tested as properties (tests/bookings/test_programmes_eligibility.py):
the same `evaluate()` answers the programme list ("eligible, or why not"), the application and the approval.

Rules, all of which must hold:
- the member is verified and belongs to a union in the running organisation's subtree;
- categories: an empty list admits every member; otherwise any one listed category qualifies, where
  `model_worker` means a model-worker title at or above the programme's minimum level. A minimum level with no
  categories means "model workers of at least that level";
- membership of at least N full years on the batch's arrival day (joined_union_on, or the account's creation);
- at most one trip in N years: another trip (approved, confirmed, checked in or completed) in a calendar year
  less than N years from the batch's year blocks (N = 1: one trip per calendar year).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

# Ordering of model-worker titles; a higher title satisfies any lower minimum.
LEVEL_RANK = {"none": 0, "city": 1, "provincial": 2, "national": 3}
CATEGORY_FLAGS = ("skilled_worker", "frontline", "retiree", "gig_worker")


@dataclass(frozen=True)
class Rules:
    min_model_worker_level: str = "none"
    categories: frozenset[str] = frozenset()
    min_membership_years: int = 0
    once_in_years: int = 1


@dataclass(frozen=True)
class Profile:
    verified: bool = True
    in_tree: bool = True
    model_worker_level: str = "none"
    skilled_worker: bool = False
    frontline: bool = False
    retiree: bool = False
    gig_worker: bool = False
    member_since: date = date(2000, 1, 1)


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


def rules_of(programme) -> Rules:
    return Rules(min_model_worker_level=programme.min_model_worker_level,
                 categories=frozenset(programme.categories or ()),
                 min_membership_years=programme.min_membership_years, once_in_years=programme.once_in_years)


def profile_of(member, *, running_path: str) -> Profile:
    since = member.joined_union_on or member.created_at.date()
    return Profile(verified=member.is_verified, in_tree=member.organisation.path.startswith(running_path),
                   model_worker_level=member.model_worker_level, skilled_worker=member.skilled_worker,
                   frontline=member.frontline, retiree=member.retiree, gig_worker=member.gig_worker,
                   member_since=since)


def full_years(since: date, on: date) -> int:
    years = on.year - since.year - ((on.month, on.day) < (since.month, since.day))
    return max(years, 0)


def level_at_least(level: str, minimum: str) -> bool:
    return LEVEL_RANK.get(level, 0) >= LEVEL_RANK.get(minimum, 0)


def qualifies_by_category(rules: Rules, profile: Profile) -> bool:
    minimum = rules.min_model_worker_level
    model_worker = profile.model_worker_level != "none" and level_at_least(profile.model_worker_level, minimum)
    if not rules.categories:
        return minimum == "none" or model_worker
    if "model_worker" in rules.categories and model_worker:
        return True
    return any(getattr(profile, flag) for flag in CATEGORY_FLAGS if flag in rules.categories)


def blocking_trip_year(rules: Rules, batch_year: int, trip_years: Iterable[int]) -> int | None:
    """The year of another trip that the once-in-N-years rule counts against this batch, if any."""
    return next((y for y in sorted(trip_years) if abs(y - batch_year) < rules.once_in_years), None)


def evaluate(*, rules: Rules, profile: Profile, batch_start: date, trip_years: Iterable[int] = ()) -> Eligibility:
    """(eligible, reasons). `trip_years`: calendar years of the member's other trips (not this batch's)."""
    reasons: list[Reason] = []
    if not profile.verified:
        reasons.append(Reason("not_verified", str(_("Your membership has not been verified yet."))))
    if not profile.in_tree:
        reasons.append(Reason("not_in_tree", str(_("This programme is for members of the organising union and "
                                                   "the unions below it."))))
    if not qualifies_by_category(rules, profile):
        reasons.append(Reason("category", str(_("This programme is for particular groups of members, and you are "
                                                "not in one of them."))))
    years = full_years(profile.member_since, batch_start)
    if years < rules.min_membership_years:
        reasons.append(Reason("membership_years", str(
            _("This programme needs at least %(n)d years of union membership.") % {"n": rules.min_membership_years})))
    blocking = blocking_trip_year(rules, batch_start.year, trip_years)
    if blocking is not None:
        if rules.once_in_years == 1:
            message = _("You already have a recuperation trip in %(year)d; one trip a year is allowed.")
        else:
            message = _("You have a recuperation trip in %(year)d; one trip in %(n)d years is allowed.")
        reasons.append(Reason("too_soon", str(message % {"year": blocking, "n": rules.once_in_years})))
    return Eligibility(eligible=not reasons, reasons=tuple(reasons))
