"""Resident ID numbers and phone numbers: validation and the privacy-preserving storage form."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class IdNumber:
    """A validated resident ID number, reduced to what we may keep: a keyed hash and the last four."""

    hash: str
    last4: str
    birth_date: date


def id_number_parse(raw: str) -> IdNumber:
    try:
        number = ric.validate(raw)
    except StdnumError:
        raise ValidationError(_("Enter a valid 18-character resident ID number."), code="invalid_id_number") from None
    digest = hmac.new(settings.ID_NUMBER_HMAC_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()
    return IdNumber(hash=digest, last4=number[-4:], birth_date=ric.get_birth_date(number))


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
