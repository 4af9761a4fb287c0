"""Password validators whose messages reach members in their language.

Django 5.2.x changed the msgid of MinimumLengthValidator's error ("%d" where the catalogues have
"%(min_length)d") without updating its zh_Hans catalogue, so the message came out in English in the Chinese UI.
This subclass asks for the msgid the catalogues translate (ours and Django's).
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
