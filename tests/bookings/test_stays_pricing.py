"""Hypothesis properties of the subsidy split (bookings.stay_pricing.stay_price): the parts add up, nothing
is negative, free nights never exceed the yearly allowance, and the rule is monotone."""

from hypothesis import given
from hypothesis import strategies as st

from bookings.stay_pricing import stay_price

nights = st.integers(1, 60)
companions = st.integers(0, 12)
price = st.integers(0, 10_000_000)
allowance = st.integers(0, 366)
used = st.integers(0, 400)
percent = st.integers(0, 100)


def quote(n, c, mp, cp, free, used_, mpct, cpct):
    return stay_price(nights=n, companions=c, member_price_fen=mp, companion_price_fen=cp, free_nights_per_year=free,
                      free_nights_used=used_, member_subsidy_percent=mpct, companion_subsidy_percent=cpct)


@given(nights, companions, price, price, allowance, used, percent, percent)
def test_parts_add_up_and_are_never_negative(n, c, mp, cp, free, used_, mpct, cpct):
    p = quote(n, c, mp, cp, free, used_, mpct, cpct)
    assert p.member_share_fen + p.subsidy_fen == p.amount_fen == n * mp + c * n * cp
    assert 0 <= p.subsidy_fen <= p.amount_fen and p.member_share_fen >= 0


@given(nights, companions, price, price, allowance, used, percent, percent)
def test_free_nights_never_exceed_what_is_left_of_the_year(n, c, mp, cp, free, used_, mpct, cpct):
    p = quote(n, c, mp, cp, free, used_, mpct, cpct)
    assert 0 <= p.member_free_nights <= min(n, max(0, free - used_))
    assert used_ + p.member_free_nights <= max(free, used_)


@given(st.lists(st.integers(1, 14), min_size=1, max_size=12), allowance)
def test_a_year_of_stays_uses_at_most_the_allowance(stays, free):
    used_ = 0
    for n in stays:
        used_ += quote(n, 0, 20_000, 30_000, free, used_, 50, 0).member_free_nights
    assert used_ == min(sum(stays), free)


@given(nights, companions, price, price, allowance, used, percent, percent, st.integers(1, 30))
def test_having_used_more_free_nights_never_makes_a_stay_cheaper(n, c, mp, cp, free, used_, mpct, cpct, more):
    before = quote(n, c, mp, cp, free, used_, mpct, cpct)
    after = quote(n, c, mp, cp, free, used_ + more, mpct, cpct)
    assert after.member_share_fen >= before.member_share_fen


@given(nights, companions, price, price, allowance, used, percent, percent, st.integers(0, 100))
def test_a_larger_subsidy_never_makes_a_stay_dearer(n, c, mp, cp, free, used_, mpct, cpct, extra):
    base = quote(n, c, mp, cp, free, used_, mpct, cpct)
    assert quote(n, c, mp, cp, free, used_, min(100, mpct + extra), cpct).member_share_fen <= base.member_share_fen
    assert quote(n, c, mp, cp, free, used_, mpct, min(100, cpct + extra)).member_share_fen <= base.member_share_fen


@given(nights, companions, price, price, allowance, used, percent, percent)
def test_longer_stays_and_more_companions_never_cost_the_member_less(n, c, mp, cp, free, used_, mpct, cpct):
    base = quote(n, c, mp, cp, free, used_, mpct, cpct).member_share_fen
    assert quote(n, c + 1, mp, cp, free, used_, mpct, cpct).member_share_fen >= base
    assert quote(n + 1, c, mp, cp, free, used_, mpct, cpct).member_share_fen >= base
