"""The suggested payout of a claim, from the scheme's schedule and the enrolment's shares: pure arithmetic.

Guarantees (tests/mutualaid/test_benefit_properties.py checks them with Hypothesis):
- never above the cap per claim × shares, nor above what is left of the cap per term × shares;
- never above the amount claimed;
- monotone in shares (more shares never pay less);
- zero for an event before cover starts (waiting period) or outside the term, or of the wrong kind;
- a duplicate event is refused (zero), the database refuses to store it twice anyway.

`working` lists each step as data ({"step", "amount_fen", ...}); `describe()` words a step in the reader's
language, so the same working reads in Chinese for the member and in English for an English-speaking officer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from .models import EventType, SchemeKind

EVENT_FOR_KIND = {
    SchemeKind.INPATIENT: EventType.HOSPITALISATION,
    SchemeKind.CRITICAL_ILLNESS: EventType.CRITICAL_ILLNESS,
    SchemeKind.WOMENS_ILLNESS: EventType.CRITICAL_ILLNESS,
    SchemeKind.ACCIDENT: EventType.ACCIDENT,
}


@dataclass(frozen=True)
class Event:
    event_type: str
    event_on: date
    amount_claimed_fen: int
    admission_on: date | None = None
    discharge_on: date | None = None
    eligible_amount_fen: int = 0
    illness: str = ""
    injury_class: str = ""


@dataclass(frozen=True)
class Suggestion:
    amount_fen: int
    working: list[dict] = field(default_factory=list)
    refusal: str = ""  # the code of the rule that makes the payout zero, if one does


def hospital_days(admission_on: date | None, discharge_on: date | None) -> int:
    """Days in hospital: discharge minus admission, at least one (admitted and discharged the same day)."""
    if admission_on is None:
        return 0
    return max(1, ((discharge_on or admission_on) - admission_on).days)


def _refuse(code: str, working: list[dict], **params) -> Suggestion:
    working.append({"step": code, "amount_fen": 0, **params})
    return Suggestion(0, working, code)


def _per_share(scheme, event: Event, working: list[dict]) -> int | str:
    """The benefit for one share, or the refusal code when the schedule does not cover the event."""
    kind = scheme.kind
    if kind == SchemeKind.INPATIENT:
        days = hospital_days(event.admission_on, event.discharge_on)
        allowance = scheme.per_day_allowance_fen * days
        above = max(0, event.eligible_amount_fen - scheme.deductible_fen)
        ratio_part = above * scheme.ratio_percent // 100
        if scheme.per_day_allowance_fen:
            working.append({"step": "allowance", "days": days, "per_day_fen": scheme.per_day_allowance_fen,
                            "amount_fen": allowance})
        if scheme.ratio_percent:
            working.append({"step": "ratio", "eligible_fen": event.eligible_amount_fen,
                            "deductible_fen": scheme.deductible_fen, "percent": scheme.ratio_percent,
                            "amount_fen": ratio_part})
        return allowance + ratio_part
    if kind == SchemeKind.ACCIDENT:
        schedule = scheme.injury_schedule or {}
        if event.injury_class not in schedule:
            return "unknown_injury_class"
        amount = int(schedule[event.injury_class])
        working.append({"step": "injury_class", "injury_class": event.injury_class, "amount_fen": amount})
        return amount
    # Critical illness, women's illness and other schemes: a lump sum for a listed illness.
    if scheme.illnesses and event.illness not in scheme.illnesses:
        return "illness_not_listed"
    working.append({"step": "lump_sum", "illness": event.illness, "amount_fen": scheme.lump_sum_fen})
    return scheme.lump_sum_fen


def suggest(scheme, *, shares: int, cover_starts_on: date, event: Event, paid_this_term_fen: int = 0,
            duplicate: bool = False) -> Suggestion:
    """The payout the rules suggest for `event` under `scheme` with `shares` shares."""
    working: list[dict] = []
    if duplicate:
        return _refuse("duplicate", working)
    expected = EVENT_FOR_KIND.get(scheme.kind)
    if expected is not None and event.event_type != expected:
        return _refuse("wrong_event", working)
    if not scheme.term_start <= event.event_on <= scheme.term_end:
        return _refuse("outside_term", working, term_start=scheme.term_start.isoformat(),
                       term_end=scheme.term_end.isoformat())
    if event.event_on < cover_starts_on:
        return _refuse("waiting_period", working, cover_starts_on=cover_starts_on.isoformat())
    per_share = _per_share(scheme, event, working)
    if isinstance(per_share, str):
        return _refuse(per_share, working)
    amount = per_share * shares
    working.append({"step": "shares", "shares": shares, "amount_fen": amount})
    caps = [("cap_per_claim", scheme.cap_per_claim_fen * shares),
            ("cap_per_term", max(0, scheme.cap_per_term_fen * shares - paid_this_term_fen))]
    if event.amount_claimed_fen:
        caps.append(("claimed", event.amount_claimed_fen))
    for step, cap in caps:
        if amount > cap:
            amount = cap
            working.append({"step": step, "cap_fen": cap, "paid_fen": paid_this_term_fen, "amount_fen": amount})
    working.append({"step": "total", "amount_fen": amount})
    return Suggestion(amount, working)


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def describe(line: dict) -> str:
    """One step of the working in the reader's language."""
    step, amount = line.get("step"), _yuan(int(line.get("amount_fen", 0)))
    texts = {
        "duplicate": lambda: _("This event has already been claimed."),
        "wrong_event": lambda: _("This scheme does not cover this kind of event."),
        "outside_term": lambda: _("The event is outside the scheme's term (%(start)s to %(end)s).") % {
            "start": line.get("term_start"), "end": line.get("term_end")},
        "waiting_period": lambda: _("The event is before cover started on %(day)s (waiting period).") % {
            "day": line.get("cover_starts_on")},
        "unknown_injury_class": lambda: _("The injury class is not in the scheme's schedule."),
        "illness_not_listed": lambda: _("The illness is not one the scheme lists."),
        "allowance": lambda: _("%(days)d days in hospital × %(per_day)s per day = %(amount)s per share") % {
            "days": line.get("days", 0), "per_day": _yuan(line.get("per_day_fen", 0)), "amount": amount},
        "ratio": lambda: _("(%(eligible)s eligible − %(deductible)s deductible) × %(percent)d%% = %(amount)s "
                           "per share") % {"eligible": _yuan(line.get("eligible_fen", 0)),
                                           "deductible": _yuan(line.get("deductible_fen", 0)),
                                           "percent": line.get("percent", 0), "amount": amount},
        "injury_class": lambda: _("Injury class %(cls)s: %(amount)s per share") % {
            "cls": line.get("injury_class"), "amount": amount},
        "lump_sum": lambda: _("Lump sum for %(illness)s: %(amount)s per share") % {
            "illness": line.get("illness") or _("the illness"), "amount": amount},
        "shares": lambda: _("× %(shares)d shares = %(amount)s") % {"shares": line.get("shares", 1), "amount": amount},
        "cap_per_claim": lambda: _("Capped at the limit per claim: %(amount)s") % {"amount": amount},
        "cap_per_term": lambda: _("Capped at what is left of the limit per term (%(paid)s already paid): "
                                  "%(amount)s") % {"paid": _yuan(line.get("paid_fen", 0)), "amount": amount},
        "claimed": lambda: _("Capped at the amount claimed: %(amount)s") % {"amount": amount},
        "total": lambda: _("Suggested payout: %(amount)s") % {"amount": amount},
    }
    text = texts.get(step)
    return text() if text else amount


def describe_working(working: list[dict]) -> list[str]:
    return [describe(line) for line in working or []]


def refusal_message(code: str) -> str:
    return describe({"step": code}) if code else ""


__all__ = ["EVENT_FOR_KIND", "Event", "Suggestion", "describe", "describe_working",
           "hospital_days", "refusal_message", "suggest"]
