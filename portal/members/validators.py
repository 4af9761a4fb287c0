"""Person names (members, dependants): what a name on a Chinese ID card or a foreign passport can hold.

Allowed: letters of any script (CJK, Latin with accents, and the scripts of minority names), combining
accents on them, spaces, the middle dot used in minority and foreign names (阿依古丽·买买提, and the
look-alike dots input methods produce), hyphens and apostrophes. Everything else is refused: control and
invisible format characters (which hide text or flip its direction), private-use and unpaired surrogate
code points, emoji and other symbols, digits, and markup or formula punctuation (`<`, `=`, `(`...).
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIDDLE_DOTS = frozenset("\u00b7\u2027\u30fb\uff65\u2022")  # · ‧ ・ ･ •
# Spaces, hyphens, apostrophes, and the Tibetan syllable mark (tsheg) that separates a Tibetan name's parts.
SEPARATORS = frozenset(" \u3000-\u2010'\u2019\u0f0b") | MIDDLE_DOTS
MAX_MARKS_PER_LETTER = 4  # enough for Vietnamese or Tibetan stacks, not for "Zalgo" text
_VARIATION_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0), range(0x180B, 0x1810))


def person_name_normalise(value: str) -> str:
    """The stored form of a valid name: NFC, one kind of middle dot (·), single spaces, no outer spaces."""
    name = unicodedata.normalize("NFC", value or "")
    return " ".join("".join("\u00b7" if ch in MIDDLE_DOTS else ch for ch in name).split())


def _is_variation_selector(ch: str) -> bool:
    return any(ord(ch) in block for block in _VARIATION_SELECTORS)


def validate_person_name(value: str) -> None:
    """Raise ValidationError unless `value` (stripped) is a plausible person's name."""
    name = (value or "").strip()
    if not name:
        raise ValidationError(_("Enter a name."), code="blank")
    invalid = ValidationError(
        _("A name may contain only letters, spaces, the middle dot (·), hyphens and apostrophes."),
        code="invalid_character")
    letters = marks = 0
    previous = ""
    for ch in name:
        category = unicodedata.category(ch)
        if category.startswith("L"):
            letters, marks = letters + 1, 0
        elif category in ("Mn", "Mc") and not _is_variation_selector(ch) and previous.startswith(("L", "M")):
            marks += 1
            if marks > MAX_MARKS_PER_LETTER:
                raise invalid
        elif ch in SEPARATORS:
            marks = 0
        else:
            raise invalid
        previous = category
    if not letters:
        raise invalid
