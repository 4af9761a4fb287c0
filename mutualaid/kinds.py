"""Notification kinds of mutual aid (registered in MutualaidConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import Kind, register

KINDS = {
    "mutualaid_enrolment_active": Kind(
        title=_("Cover confirmed: {scheme}"),
        body=_("{insured} is insured under {scheme} with {shares} share(s). Cover runs from {cover_start} to "
               "{term_end}. Your certificate is in My mutual aid.")),
    "mutualaid_claim_received": Kind(
        title=_("Claim received: {scheme}"),
        body=_("We received your claim no. {claim} under {scheme}. You can follow its progress in My mutual aid.")),
    "mutualaid_claim_more_info": Kind(
        title=_("More documents needed for claim no. {claim}"),
        body=_("Your union needs more for claim no. {claim} under {scheme}: {message}"), sms=True),
    "mutualaid_claim_approved": Kind(
        title=_("Claim approved: {amount}"),
        body=_("Claim no. {claim} under {scheme} is approved for {amount}. {reason}"), sms=True),
    "mutualaid_claim_rejected": Kind(
        title=_("Claim not approved: {scheme}"),
        body=_("Claim no. {claim} under {scheme} was not approved: {reason}"), sms=True),
    "mutualaid_claim_paid": Kind(
        title=_("Claim paid: {amount}"),
        body=_("{amount} for claim no. {claim} has been paid to your account {account} (reference {reference})."),
        sms=True),
    "mutualaid_renewal_reminder": Kind(
        title=_("Your cover ends on {term_end}: {scheme}"),
        body=_("{insured}'s cover under {scheme} ends on {term_end}. Renew in My mutual aid to stay covered "
               "without a new waiting period.")),
    "mutualaid_loss_ratio_alert": Kind(
        title=_("Loss ratio alert: {scheme}"),
        body=_("Claims paid under {scheme} have reached {ratio}% of contributions collected, above the "
               "{threshold}% threshold.")),
}


def register_all() -> None:
    for name, kind in KINDS.items():
        register(name, kind)
