"""Sign-ins and failed sign-ins become audit events (Django's signals: allauth, the admin and the API all log
in through django.contrib.auth.login, which allauth calls only once the TOTP step is passed)."""

from __future__ import annotations

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa import signals as mfa_signals
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from portal.members import permissions

from .models import AuditAction
from .services import audit_record


def _passed_mfa(request) -> bool:
    session = getattr(request, "session", None)
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY, []) if session is not None else []
    return any(r.get("method") == "mfa" for r in records)


def login_action(request, user) -> AuditAction:
    """Superusers and admin-site sign-ins are admin logins; role holders' are console logins."""
    path = getattr(request, "path", "") or ""
    next_url = request.GET.get("next", "") if request is not None else ""
    if user.is_superuser or path.startswith("/admin/") or next_url.startswith("/admin/"):
        return AuditAction.LOGIN_ADMIN
    if user.is_staff or permissions.is_staff_member(user):
        return AuditAction.LOGIN_CONSOLE
    return AuditAction.LOGIN


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action=login_action(request, user), object_type="members.user",
                 object_id=str(user.pk), object_repr=str(user), change={"mfa": _passed_mfa(request)},
                 request=request, route=getattr(getattr(request, "resolver_match", None), "view_name", "") or "")


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Credentials are never stored: only which kind of login was tried (the redactor keeps no secrets anyway).
    audit_record(actor=None, action=AuditAction.LOGIN_FAILED, change={"fields": sorted(credentials)},
                 request=request, route=getattr(getattr(request, "resolver_match", None), "view_name", "") or "")


@receiver(mfa_signals.authentication_failed, dispatch_uid="audit_mfa_failed")
def _mfa_failed(sender, user, request=None, **kwargs) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN_FAILED, object_type="members.user", object_id=str(user.pk),
                 object_repr=str(user), change={"step": "mfa"}, request=request)
