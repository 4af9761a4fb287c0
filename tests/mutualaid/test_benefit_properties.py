"""The benefit rules as properties (Hypothesis): never above the caps, monotone in shares, zero inside the
waiting period or outside the term, duplicates refused; and the worked examples a reviewer can check by hand."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mutualaid import benefits
from mutualaid.models import Scheme, SchemeKind

TERM_START = date(2026, 1, 1)
TERM_END = date(2026, 12, 31)
EVENT = {SchemeKind.INPATIENT: "hospitalisation", SchemeKind.CRITICAL_ILLNESS: "critical_illness",
         SchemeKind.WOMENS_ILLNESS: "critical_illness", SchemeKind.ACCIDENT: "accident"}

fen = st.integers(min_value=0, max_value=50_000_000)


@st.composite
def schemes(draw) -> Scheme:
    kind = draw(st.sampled_from(list(EVENT)))
    cap_claim = draw(st.integers(min_value=1, max_value=5_000_000))
    return Scheme(kind=kind, term_start=TERM_START, term_end=TERM_END,
                  per_day_allowance_fen=draw(st.integers(0, 50_000)), ratio_percent=draw(st.integers(0, 100)),
                  deductible_fen=draw(fen), lump_sum_fen=draw(st.integers(0, 5_000_000)),
                  illnesses=["恶性肿瘤"], injury_schedule={"fracture": draw(st.integers(1, 5_000_000))},
                  cap_per_claim_fen=cap_claim,
                  cap_per_term_fen=cap_claim + draw(st.integers(min_value=0, max_value=5_000_000)))


@st.composite
def events(draw, scheme: Scheme, *, on: date | None = None) -> benefits.Event:
    day = on or draw(st.dates(min_value=TERM_START, max_value=TERM_END))
    return benefits.Event(
        event_type=EVENT[scheme.kind], event_on=day, amount_claimed_fen=draw(fen), admission_on=day,
        discharge_on=day + timedelta(days=draw(st.integers(0, 200))), eligible_amount_fen=draw(fen),
        illness="恶性肿瘤", injury_class="fracture")


@settings(max_examples=300, deadline=None)
@given(data=st.data(), shares=st.integers(1, 100), paid=fen)
def test_never_above_the_caps_or_the_amount_claimed(data, shares, paid):
    scheme = data.draw(schemes())
    event = data.draw(events(scheme))
    result = benefits.suggest(scheme, shares=shares, cover_starts_on=TERM_START, event=event,
                              paid_this_term_fen=paid)
    assert 0 <= result.amount_fen <= scheme.cap_per_claim_fen * shares
    assert result.amount_fen <= max(0, scheme.cap_per_term_fen * shares - paid)
    if event.amount_claimed_fen:
        assert result.amount_fen <= event.amount_claimed_fen
    assert result.working[-1]["amount_fen"] == result.amount_fen


@settings(max_examples=300, deadline=None)
@given(data=st.data(), shares=st.integers(1, 99), more=st.integers(1, 50), paid=fen)
def test_monotone_in_shares(data, shares, more, paid):
    scheme = data.draw(schemes())
    event = data.draw(events(scheme))
    fewer = benefits.suggest(scheme, shares=shares, cover_starts_on=TERM_START, event=event, paid_this_term_fen=paid)
    larger = benefits.suggest(scheme, shares=shares + more, cover_starts_on=TERM_START, event=event,
                              paid_this_term_fen=paid)
    assert larger.amount_fen >= fewer.amount_fen


@settings(max_examples=200, deadline=None)
@given(data=st.data(), shares=st.integers(1, 100), waiting=st.integers(1, 180))
def test_zero_inside_the_waiting_period(data, shares, waiting):
    scheme = data.draw(schemes())
    cover = TERM_START + timedelta(days=waiting)
    day = data.draw(st.dates(min_value=TERM_START, max_value=cover - timedelta(days=1)))
    result = benefits.suggest(scheme, shares=shares, cover_starts_on=cover, event=data.draw(events(scheme, on=day)))
    assert result.amount_fen == 0 and result.refusal == "waiting_period"


@settings(max_examples=100, deadline=None)
@given(data=st.data(), outside=st.one_of(st.dates(max_value=TERM_START - timedelta(days=1),
                                                  min_value=date(2000, 1, 1)),
                                         st.dates(min_value=TERM_END + timedelta(days=1),
                                                  max_value=date(2100, 1, 1))))
def test_zero_outside_the_term_and_for_a_duplicate(data, outside):
    scheme = data.draw(schemes())
    assert benefits.suggest(scheme, shares=3, cover_starts_on=TERM_START,
                            event=data.draw(events(scheme, on=outside))).amount_fen == 0
    duplicate = benefits.suggest(scheme, shares=3, cover_starts_on=TERM_START, event=data.draw(events(scheme)),
                                 duplicate=True)
    assert duplicate.amount_fen == 0 and duplicate.refusal == "duplicate"


def test_worked_inpatient_example_shows_its_working():
    scheme = Scheme(kind=SchemeKind.INPATIENT, term_start=TERM_START, term_end=TERM_END, per_day_allowance_fen=5000,
                    ratio_percent=50, deductible_fen=100_000, cap_per_claim_fen=500_000, cap_per_term_fen=1_000_000)
    event = benefits.Event(event_type="hospitalisation", event_on=date(2026, 3, 1), admission_on=date(2026, 3, 1),
                           discharge_on=date(2026, 3, 6), eligible_amount_fen=300_000, amount_claimed_fen=300_000)
    result = benefits.suggest(scheme, shares=2, cover_starts_on=TERM_START, event=event)
    # per share: 5 days × ¥50 = ¥250, plus (¥3,000 − ¥1,000) × 50% = ¥1,000 → ¥1,250; × 2 shares = ¥2,500
    assert result.amount_fen == 250_000
    assert [line["step"] for line in result.working] == ["allowance", "ratio", "shares", "total"]
    assert "¥2,500.00" in benefits.describe(result.working[-1])


def test_the_term_cap_counts_what_was_already_paid():
    scheme = Scheme(kind=SchemeKind.CRITICAL_ILLNESS, term_start=TERM_START, term_end=TERM_END,
                    lump_sum_fen=1_000_000, illnesses=[], cap_per_claim_fen=1_000_000, cap_per_term_fen=1_500_000)
    event = benefits.Event(event_type="critical_illness", event_on=date(2026, 5, 1), amount_claimed_fen=0,
                           illness="恶性肿瘤")
    result = benefits.suggest(scheme, shares=1, cover_starts_on=TERM_START, event=event, paid_this_term_fen=1_000_000)
    assert result.amount_fen == 500_000 and result.working[-2]["step"] == "cap_per_term"


def test_unlisted_illness_and_unknown_injury_class_pay_nothing():
    critical = Scheme(kind=SchemeKind.CRITICAL_ILLNESS, term_start=TERM_START, term_end=TERM_END,
                      lump_sum_fen=1_000_000, illnesses=["恶性肿瘤"], cap_per_claim_fen=1, cap_per_term_fen=1)
    event = benefits.Event(event_type="critical_illness", event_on=date(2026, 5, 1), amount_claimed_fen=1,
                           illness="感冒")
    assert benefits.suggest(critical, shares=1, cover_starts_on=TERM_START, event=event).refusal == \
        "illness_not_listed"
    accident = Scheme(kind=SchemeKind.ACCIDENT, term_start=TERM_START, term_end=TERM_END,
                      injury_schedule={"fracture": 100}, cap_per_claim_fen=100, cap_per_term_fen=100)
    event = benefits.Event(event_type="accident", event_on=date(2026, 5, 1), amount_claimed_fen=1,
                           injury_class="scratch")
    assert benefits.suggest(accident, shares=1, cover_starts_on=TERM_START, event=event).refusal == \
        "unknown_injury_class"
