"""Why a recurrence rule (RFC 5545 RRULE) was refused, in the user's language.

dateutil's own errors are English and name internals ("invalid 'FREQ': SOMETIMES"); staff see which part
of their rule is wrong instead.
"""

from __future__ import annotations

from datetime import datetime

from dateutil.rrule import rrulestr
from django.utils.translation import gettext as _

PARTS = {"FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY",
         "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST"}
FREQS = {"YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"}
_PROBE_START = datetime(2000, 1, 1)  # any start: only the part's syntax is tried


def rrule_error(rule: str) -> str:
    """A translated message naming the first part of `rule` that dateutil cannot read."""
    body = rule.strip()
    body = body[6:] if body.upper().startswith("RRULE:") else body
    parts = [p.strip() for p in body.split(";") if p.strip()]
    names = [p.partition("=")[0].strip().upper() for p in parts]
    for part, name in zip(parts, names, strict=True):
        _name, sep, value = part.partition("=")
        value = value.strip().upper()
        if not sep or name not in PARTS:
            return _("“%(part)s” is not part of a recurrence rule: use parts such as FREQ, BYDAY, COUNT or UNTIL.") \
                % {"part": part}
        if names.count(name) > 1:
            return _("“%(name)s” appears more than once.") % {"name": name}
        probe = f"FREQ={value}" if name == "FREQ" else f"FREQ=DAILY;{name}={value}"
        if name == "FREQ" and value not in FREQS or not _readable(probe):
            return _("“%(part)s” has a value that is not allowed here.") % {"part": part}
    if "FREQ" not in names:
        return _("A recurrence rule needs FREQ, for example FREQ=WEEKLY.")
    if "COUNT" in names and "UNTIL" in names:
        return _("Use COUNT or UNTIL, not both.")
    return _("This is not a valid recurrence rule. Example: FREQ=WEEKLY;BYDAY=TU,TH;COUNT=24.")


def _readable(rule: str) -> bool:
    try:
        rrulestr(rule, dtstart=_PROBE_START)
    except (ValueError, TypeError, OverflowError, KeyError, IndexError):
        return False
    return True
