"""Permissions-Policy on every response: powerful browser features off, except where a page needs one.

Django sets the other security headers itself (SecurityMiddleware, XFrameOptionsMiddleware) and django-csp
the Content-Security-Policy; settings.py ("Security headers") holds all their values.
"""

from __future__ import annotations

from django.conf import settings


def permissions_policy(view_name: str | None) -> str:
    features = {**settings.PERMISSIONS_POLICY, **settings.PERMISSIONS_POLICY_BY_VIEW.get(view_name or "", {})}
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Permissions-Policy"):
            match = getattr(request, "resolver_match", None)
            response["Permissions-Policy"] = permissions_policy(match.view_name if match else None)
        return response
