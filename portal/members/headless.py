"""allauth headless endpoints that need the portal's rules."""

from __future__ import annotations

from http import HTTPStatus

from allauth.headless.internal.restkit.response import ErrorResponse
from allauth.headless.mfa.views import ManageTOTPView
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import mfa


class StaffGuardedTOTPView(ManageTOTPView):
    """`/_allauth/{client}/v1/account/authenticators/totp`: an account with staff powers and no TOTP yet
    enrols on the website, where it must first confirm a code emailed to it (portal.members.mfa); the API
    has no such step, so it refuses to show or activate a secret for them (409)."""

    def handle(self, request, *args, **kwargs):
        if request.method in ("GET", "POST") and mfa.enrolment_code_required(request.user):
            error = ValidationError(
                _("Staff accounts set up two-factor authentication on the website, after confirming a code "
                  "sent to their email."), code="staff_enrolment_on_website")
            return ErrorResponse(request, exception=error, status=HTTPStatus.CONFLICT)
        return super().handle(request, *args, **kwargs)
