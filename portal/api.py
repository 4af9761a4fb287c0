"""API plumbing: pagination and the one error format (DESIGN.md section 5)."""

from __future__ import annotations

import math

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from portal.converters import ID_REGEX
from portal.errors import DomainError


class Router(DefaultRouter):
    """Detail routes take ids only (digits that fit a 64-bit integer, unless a viewset says otherwise), so
    `/bookings/AAA/` and a 20-digit id are a 404 from the URL resolver and never reach the database."""

    default_lookup_value_regex = ID_REGEX

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        value = getattr(viewset, "lookup_value_regex", self.default_lookup_value_regex)
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{value})"


MAX_PAGE_SIZE = 100
EMPTY_PARAMETER = _lazy("Leave this parameter out, or give it a value.")


class _PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False)
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` are validated like any other parameter: a bad value is a 400 naming it."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()

    def _params(self, request) -> dict:
        form = _PageForm(request.query_params)
        errors = {} if form.is_valid() else {field: list(msgs) for field, msgs in form.errors.items()}
        for name in form.fields:
            if "" in request.query_params.getlist(name):
                errors.setdefault(name, []).append(str(EMPTY_PARAMETER))
        if errors:
            raise exceptions.ValidationError(errors)
        return form.cleaned_data

    def get_page_size(self, request):
        return self._params(request)["page_size"] or self.page_size

    def get_page_number(self, request, paginator):
        return self._params(request)["page"] or 1

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class ProblemSerializer(serializers.Serializer):
    """The one error format (RFC 9457 in spirit): what went wrong, and which fields are to blame."""

    type = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


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
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        exc = exceptions.ParseError(_("The request body is too large."))
    elif isinstance(exc, DjangoValidationError):
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
