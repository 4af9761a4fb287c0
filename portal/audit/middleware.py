"""Records staff activity for every route, present and future, without code in the views.

- every successful (status < 400) POST/PUT/PATCH/DELETE under AUDITED_PREFIXES by a staff user or superuser:
  create / update / delete / write, with the object the URL names (registry) and the redacted submitted data;
- every download (Content-Disposition: attachment) by staff: export;
- every page in registry.PERSONAL_READS opened by staff: one view_personal_record event per member shown;
- every refusal of a signed-in user under AUDITED_PREFIXES: a 403, or a 404 for an object that exists
  (staff of another union probing it): access_denied.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from portal.members import permissions

from . import registry
from .models import AuditAction
from .services import audit_record, audit_record_many, object_reference

logger = logging.getLogger(__name__)

AUDITED_PREFIXES = ("/console/", "/api/v1/staff/", "/admin/")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Signing in and out of the admin are login events (signals), not writes.
NOT_WRITES = {"admin:login", "admin:logout", "admin:jsi18n"}
CREATE_HINTS = ("create", "new", "add")
UPDATE_HINTS = ("edit", "change", "update", "detail")


def is_audited_actor(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.is_staff or permissions.is_staff_member(user)


def _classify(method: str, route: str, has_pk: bool) -> AuditAction:
    verb = route.rsplit(":", 1)[-1].replace("-", "_").rsplit("_", 1)[-1]
    if method == "DELETE" or verb == "delete":
        return AuditAction.DELETE
    if method in ("PUT", "PATCH") or (verb in UPDATE_HINTS and has_pk):
        return AuditAction.UPDATE
    if verb in CREATE_HINTS or (verb == "list" and method == "POST"):
        return AuditAction.CREATE
    return AuditAction.WRITE


def _body(request: HttpRequest):
    """The submitted data: form fields (and file names), or the JSON body cached before the view ran."""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        data = {k: v[0] if len(v) == 1 else v for k, v in request.POST.lists()}
        data.update({k: f for k, f in request.FILES.items()})
        return data
    raw = getattr(request, "_audit_body", None)
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return {"_body": "<not JSON>"}


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        before = None
        if request.method in WRITE_METHODS and request.path.startswith(AUDITED_PREFIXES):
            before = self._before_write(request)
        response = self.get_response(request)
        try:
            if response.status_code < 400:
                self._after(request, response, before)
            elif response.status_code in (403, 404) and request.path.startswith(AUDITED_PREFIXES):
                self._denied(request, response, before)
        except Exception:  # the audit trail must not turn a completed action into an error page
            logger.exception("audit: could not record %s %s", request.method, request.path)
        return response

    @staticmethod
    def _denied(request: HttpRequest, response: HttpResponse, before) -> None:
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if not getattr(user, "is_authenticated", False) or match is None:
            return
        target = registry.target_for(match)
        ref = before[1] if before is not None else object_reference(target.get())
        if response.status_code == 404 and not ref:
            return  # a plain "no such object"
        audit_record(actor=user, action=AuditAction.ACCESS_DENIED, request=request, route=target.route,
                     status=response.status_code, **(ref or {}))

    def _before_write(self, request: HttpRequest):
        """Resolve the object now (a delete removes it) and keep a JSON body the view will consume."""
        if request.content_type == "application/json":
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if 0 < length <= (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or length):
                request._audit_body = request.body  # cached: the view (DRF) reads the same bytes after us
        target = registry.target_for_path(request.path_info, getattr(request, "urlconf", None))
        if target is None:
            return None
        return target, object_reference(target.get())

    def _after(self, request: HttpRequest, response: HttpResponse, before) -> None:
        user = getattr(request, "user", None)
        if not is_audited_actor(user):
            return
        match = getattr(request, "resolver_match", None)
        is_download = response.get("Content-Disposition", "").lower().startswith("attachment")
        if before is not None:
            self._write(request, response, user, *before)
        elif is_download and match is not None:
            target = registry.target_for(match)
            audit_record(actor=user, action=AuditAction.EXPORT, obj=target.get(), request=request,
                         route=target.route, status=response.status_code)
        if request.method == "GET" and match is not None and match.view_name in registry.PERSONAL_READS:
            self._personal_reads(request, response, user, match)

    def _write(self, request, response, user, target: registry.Target, ref: dict) -> None:
        if target.route in NOT_WRITES:
            return
        action = _classify(request.method, target.route, bool(target.pk))
        if not ref and action == AuditAction.CREATE:
            ref = object_reference(self._created(request, response, target))
        if not ref:
            ref = {"object_type": target.model._meta.label_lower if target.model else "",
                   "object_id": target.pk or ""}
        audit_record(actor=user, action=action, change=_body(request), request=request, route=target.route,
                     status=response.status_code, **ref)
        if response.get("Content-Disposition", "").lower().startswith("attachment"):
            audit_record(actor=user, action=AuditAction.EXPORT, request=request, route=target.route,
                         status=response.status_code, **ref)

    @staticmethod
    def _created(request, response, target: registry.Target):
        """A create names its new object in the API answer ("id") or in the console's redirect."""
        data = getattr(response, "data", None)
        if isinstance(data, dict) and "id" in data:
            return target.get_by_id(data["id"])
        location = response.get("Location", "")
        if response.status_code in (301, 302, 303) and location.startswith("/"):
            follow = registry.target_for_path(location.split("?", 1)[0], getattr(request, "urlconf", None))
            return follow.get() if follow is not None else None
        return None

    @staticmethod
    def _personal_reads(request, response, user, match) -> None:
        members = registry.PERSONAL_READS[match.view_name](user, match.kwargs)
        audit_record_many(actor=user, action=AuditAction.VIEW_PERSONAL_RECORD, objects=members, request=request,
                          route=match.view_name, status=response.status_code)
