"""Properties of the eligibility rules (bookings/eligibility.py), which are pure functions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bookings.eligibility import LEVEL_RANK, Profile, Rules, evaluate, full_years

LEVELS = list(LEVEL_RANK)
CATEGORIES = ["model_worker", "skilled_worker", "frontline", "retiree", "gig_worker"]
FLAGS = ["skilled_worker", "frontline", "retiree", "gig_worker"]

rules_st = st.builds(Rules, min_model_worker_level=st.sampled_from(LEVELS),
                     categories=st.frozensets(st.sampled_from(CATEGORIES)),
                     min_membership_years=st.integers(0, 10), once_in_years=st.integers(1, 5))
profiles = st.builds(Profile, verified=st.booleans(), in_tree=st.booleans(), model_worker_level=st.sampled_from(LEVELS),
                     skilled_worker=st.booleans(), frontline=st.booleans(), retiree=st.booleans(),
                     gig_worker=st.booleans(), member_since=st.dates(date(1990, 1, 1), date(2030, 12, 31)))
starts = st.dates(date(2020, 1, 1), date(2035, 12, 31))
trips = st.lists(st.integers(2015, 2040), max_size=4)


@given(rules_st, profiles, starts, trips, st.sampled_from(FLAGS))
def test_adding_a_category_never_makes_someone_ineligible(rules, profile, start, years, flag):
    before = evaluate(rules=rules, profile=profile, batch_start=start, trip_years=years)
    after = evaluate(rules=rules, profile=replace(profile, **{flag: True}), batch_start=start, trip_years=years)
    assert set(after.codes) <= set(before.codes)
    assert after.eligible or not before.eligible


@given(rules_st, profiles, starts, trips)
def test_a_higher_model_worker_title_never_hurts(rules, profile, start, years):
    for lower, higher in zip(LEVELS, LEVELS[1:], strict=False):
        low = evaluate(rules=rules, profile=replace(profile, model_worker_level=lower), batch_start=start,
                       trip_years=years)
        high = evaluate(rules=rules, profile=replace(profile, model_worker_level=higher), batch_start=start,
                        trip_years=years)
        assert high.eligible or not low.eligible


@given(st.sampled_from(LEVELS), st.sampled_from(LEVELS))
def test_level_ordering_with_a_minimum_and_no_categories(level, minimum):
    rules = Rules(min_model_worker_level=minimum)
    verdict = evaluate(rules=rules, profile=Profile(model_worker_level=level), batch_start=date(2027, 5, 1))
    expected = minimum == "none" or (level != "none" and LEVEL_RANK[level] >= LEVEL_RANK[minimum])
    assert verdict.eligible == expected


@given(st.integers(1, 6), st.integers(2020, 2035), st.integers(2015, 2040))
def test_once_in_n_years(n, batch_year, trip_year):
    verdict = evaluate(rules=Rules(once_in_years=n), profile=Profile(), batch_start=date(batch_year, 6, 1),
                       trip_years=[trip_year])
    assert verdict.eligible == (abs(trip_year - batch_year) >= n)
    if not verdict.eligible:
        assert verdict.codes == ["too_soon"]


@given(rules_st, profiles, starts)
def test_no_trips_never_fails_the_frequency_rule(rules, profile, start):
    assert "too_soon" not in evaluate(rules=rules, profile=profile, batch_start=start).codes


@given(st.dates(date(1990, 1, 1), date(2030, 12, 31)), starts, st.integers(0, 10))
def test_membership_years(since, start, minimum):
    verdict = evaluate(rules=Rules(min_membership_years=minimum), profile=Profile(member_since=since),
                       batch_start=start)
    assert verdict.eligible == (full_years(since, start) >= minimum)


def test_full_years_counts_whole_years_only():
    assert full_years(date(2020, 3, 1), date(2023, 2, 28)) == 2
    assert full_years(date(2020, 3, 1), date(2023, 3, 1)) == 3
    assert full_years(date(2024, 2, 29), date(2025, 2, 28)) == 0
    assert full_years(date(2030, 1, 1), date(2025, 1, 1)) == 0


@given(rules_st, profiles, starts, trips)
def test_every_refusal_says_why(rules, profile, start, years):
    verdict = evaluate(rules=rules, profile=profile, batch_start=start, trip_years=years)
    assert verdict.eligible == (not verdict.reasons)
    assert all(r.message for r in verdict.reasons)
