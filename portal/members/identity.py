"""Resident ID numbers and phone numbers: validation and the privacy-preserving storage form."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import isdigits

_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class IdNumber:
    """A validated resident ID number, reduced to what we may keep: a keyed hash and the last four."""

    hash: str
    last4: str
    birth_date: date


@functools.lru_cache(maxsize=16384)
def _region_existed(region: str, year: int) -> bool:
    """The region code was a county in the year of birth (python-stdnum's place database).

    The database lookup is most of the cost of `ric.validate`; a 100,000-row roster repeats a few hundred
    (region, year) pairs, so each is looked up once."""
    try:
        ric.get_birth_place(f"{region}{year:04d}01010000")
    except (StdnumError, KeyError):  # a province-level code has no county entry: stdnum raises KeyError
        return False
    return True


def id_number_parse(raw: str) -> IdNumber:
    """`ric.validate` step by step (length, digits, check digit, birth date, birth place), cleaning the number
    once instead of once per step."""
    invalid = ValidationError(_("Enter a valid 18-character resident ID number."), code="invalid_id_number")
    number = ric.compact(raw or "")
    if len(number) != 18 or not isdigits(number[:-1]) or number[-1] != ric.calc_check_digit(number):
        raise invalid
    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise invalid from None
    if not _region_existed(number[:6], birth_date.year):
        raise invalid
    digest = hmac.new(settings.ID_NUMBER_HMAC_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()
    return IdNumber(hash=digest, last4=number[-4:], birth_date=birth_date)


def phone_normalise(raw: str) -> str:
    """Return a mainland mobile number in E.164 (+86...), accepting spaces, dashes and a 0086/+86 prefix."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _CN_MOBILE.match(digits):
        raise ValidationError(_("Enter a valid mainland China mobile number, e.g. 13800000000."), code="invalid_phone")
    return f"+86{digits}"


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_band(birth: date | None, *, on: date | None = None) -> str:
    """What staff may see of a birth date: a decade band ("30–39 years"), never the date (with the last four
    characters of the ID number the date would give away 12 of its 18)."""
    if birth is None:
        return ""
    age = age_on(birth, on or timezone.localdate())
    if age < 18:
        return gettext("under 18")
    if age >= 60:
        return gettext("60 and over")
    low, high = (18, 29) if age < 30 else (age // 10 * 10, age // 10 * 10 + 9)
    return gettext("%(low)d–%(high)d years") % {"low": low, "high": high}
