"""The price of a stay and how it splits into the union's subsidy and the member's share (pure, no database).

Prices are per guest and night: the member's own nights at the room type's member price, each companion's
at the companion price. The union pays the member's first nights of the year in full (up to the
sanatorium's yearly free nights), a percentage of the member's further nights, and a percentage of the
companions' nights (0 = companions at cost). Percentages round the subsidy down, so the member never pays
less than the rule says and the two parts always add up to the total.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StayPrice:
    amount_fen: int
    subsidy_fen: int
    member_free_nights: int  # the member's own nights the union paid in full (count against the year)

    @property
    def member_share_fen(self) -> int:
        return self.amount_fen - self.subsidy_fen


def stay_price(*, nights: int, companions: int, member_price_fen: int, companion_price_fen: int,
               free_nights_per_year: int, free_nights_used: int, member_subsidy_percent: int,
               companion_subsidy_percent: int) -> StayPrice:
    """`free_nights_used`: the member's free nights already taken this year (other stays)."""
    if nights < 1 or companions < 0 or min(member_price_fen, companion_price_fen, free_nights_used) < 0:
        raise ValueError("nights >= 1; companions, prices and nights used are not negative")
    if not (0 <= member_subsidy_percent <= 100 and 0 <= companion_subsidy_percent <= 100):
        raise ValueError("percentages lie in 0..100")
    free = min(nights, max(0, free_nights_per_year - free_nights_used))
    member_total = nights * member_price_fen
    companion_total = companions * nights * companion_price_fen
    subsidy = (free * member_price_fen
               + (nights - free) * member_price_fen * member_subsidy_percent // 100
               + companion_total * companion_subsidy_percent // 100)
    return StayPrice(amount_fen=member_total + companion_total, subsidy_fen=subsidy, member_free_nights=free)
