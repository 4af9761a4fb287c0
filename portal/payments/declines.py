"""Stripe's failure and decline codes as messages a member can act on (never Stripe's English text)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

GENERIC = _("The payment did not go through. Try again or use another card.")
DECLINED = _("Your card was declined. Try another card or contact your bank.")

MESSAGES = {
    "card_declined": DECLINED,
    "generic_decline": DECLINED,
    "do_not_honor": DECLINED,
    "lost_card": DECLINED,  # never tell a possible thief that the card was reported
    "stolen_card": DECLINED,
    "fraudulent": DECLINED,
    "insufficient_funds": _("Your card has insufficient funds. Try another card."),
    "expired_card": _("Your card has expired. Use another card."),
    "incorrect_cvc": _("The card's security code is wrong. Check it and try again."),
    "invalid_cvc": _("The card's security code is wrong. Check it and try again."),
    "incorrect_number": _("The card number is wrong. Check it and try again."),
    "invalid_number": _("The card number is wrong. Check it and try again."),
    "invalid_expiry_month": _("The card's expiry date is wrong. Check it and try again."),
    "invalid_expiry_year": _("The card's expiry date is wrong. Check it and try again."),
    "processing_error": _("An error occurred while processing your card. Try again in a moment."),
    "authentication_required": _("Your bank asked you to confirm the payment and it was not confirmed."),
    "payment_intent_authentication_failure": _("Your bank asked you to confirm the payment and it was not "
                                               "confirmed."),
    "card_velocity_exceeded": _("Your card has reached its spending limit. Try another card."),
}


def decline_message(code: str | None) -> str:
    return str(MESSAGES.get(code or "", GENERIC))
