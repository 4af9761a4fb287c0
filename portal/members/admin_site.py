"""The Django admin behind allauth's login and its second factor.

Django's own admin login checks the password only, so it is replaced by a redirect to allauth's login
(which asks for TOTP), and every admin page requires a session that passed MFA. Installed through
`PortalAdminConfig` in INSTALLED_APPS instead of "django.contrib.admin".
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        from . import mfa

        user = request.user
        return (super().has_permission(request) and mfa.has_totp(user)
                and mfa.session_passed_mfa(user, request.session))

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """No password form here: send the visitor to whichever step of allauth's sign-in is missing."""
        from . import mfa

        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        if not mfa.has_totp(user):
            return redirect("mfa_activate_totp")
        if not mfa.session_passed_mfa(user, request.session):
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}")
        return redirect(next_url)


class PortalAdminConfig(AdminConfig):
    default_site = "portal.members.admin_site.PortalAdminSite"
