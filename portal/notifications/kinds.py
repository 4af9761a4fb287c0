"""What each kind of notification says and through which channels it goes.

Templates are translatable strings formatted with the caller's context in the recipient's language.
Later apps register their kinds with `register()` in their AppConfig.ready().
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    title: str
    body: str
    email: bool = True
    sms: bool = False


KINDS: dict[str, Kind] = {
    "member_verified": Kind(
        title=_("Your membership is verified"),
        body=_("Dear {name}, your union {organisation} has verified your membership. You can now book and apply."),
        sms=True,
    ),
    "member_rejected": Kind(
        title=_("Your membership could not be verified"),
        body=_("Dear {name}, your union could not verify your membership: {reason}. "
               "Please correct your details or contact your union."),
        sms=True,
    ),
}


def register(name: str, kind: Kind) -> None:
    KINDS[name] = kind
