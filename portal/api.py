"""API plumbing: pagination and the one error format (DESIGN.md section 5)."""

from __future__ import annotations

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


_TYPES = {
    400: ("invalid", lambda: _("Invalid input.")),
    401: ("not_authenticated", lambda: _("Authentication required.")),
    403: ("permission_denied", lambda: _("You are not allowed to do this.")),
    404: ("not_found", lambda: _("Not found.")),
    405: ("method_not_allowed", lambda: _("Method not allowed.")),
    406: ("not_acceptable", lambda: _("Not acceptable.")),
    409: ("conflict", lambda: _("The request conflicts with the current state.")),
    415: ("unsupported_media_type", lambda: _("Unsupported media type.")),
    429: ("throttled", lambda: _("Too many requests.")),
}


def problem(*, status_code: int, detail: str, errors: dict | None = None, type_: str | None = None,
            title: str | None = None) -> dict:
    default_type, default_title = _TYPES.get(status_code, ("error", lambda: _("Server error.")))
    return {
        "type": type_ or default_type,
        "title": title or default_title(),
        "detail": detail,
        "errors": errors or {},
    }


def _flatten(detail) -> dict[str, list[str]]:
    """DRF error detail -> {field: [messages]}; nested serializer errors use dotted names."""
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in _messages(detail)]}
    if not isinstance(detail, dict):
        return {"non_field_errors": [str(detail)]}
    out: dict[str, list[str]] = {}
    for field, value in detail.items():
        if isinstance(value, dict):
            for sub, msgs in _flatten(value).items():
                out[f"{field}.{sub}"] = msgs
        else:
            out[str(field)] = [str(m) for m in _messages(value if isinstance(value, list) else [value])]
    return out


def _messages(items):
    for item in items:
        if isinstance(item, (list, tuple)):
            yield from _messages(item)
        elif isinstance(item, dict):
            for msgs in _flatten(item).values():
                yield from msgs
        else:
            yield item


def _django_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError({f: [str(m) for e in errs for m in e.messages]
                                           for f, errs in exc.error_dict.items()})
    return exceptions.ValidationError(list(exc.messages))


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        retry_after = getattr(exc, "retry_after", None)
        return Response(
            problem(status_code=exc.status_code, detail=exc.detail, errors=exc.errors, type_=exc.code,
                    title=str(exc.title)),
            status=exc.status_code,
            headers={"Retry-After": str(retry_after)} if retry_after else None,
        )
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django's 500 handling (which the API's handler500 formats too)
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = next(iter(errors.values()), [""])[0]
        detail = first if list(errors) == ["non_field_errors"] else _("Some fields are invalid.")
        response.data = problem(status_code=400, detail=detail, errors=errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = problem(status_code=response.status_code, detail=str(detail))
    if isinstance(exc, exceptions.Throttled):
        # DRF writes "%d" of a fractional wait, so "0" (retry at once) in the last second; never less than 1.
        response["Retry-After"] = str(max(1, math.ceil(exc.wait or 1)))
    return response
