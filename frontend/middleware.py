"""Domain errors as pages: the one place HTML requests turn a service's refusal into a status and a page.

A view calls a service or selector and lets `portal.errors.DomainError` propagate; this middleware renders
frontend/error.html with the error's own status (NotFound 404, NotPermitted 403, Conflict 409, any other
DomainError by its `status_code`, 400 by default). API paths get the JSON error format, as portal/api.py gives
DRF views. Views catch a DomainError only to do something better on the same page (a form error, a toast).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.api import problem
from portal.errors import DomainError

from .views.errors import is_api

# Page titles by status; the error's detail says what happened.
TITLES = {
    403: lambda: _("Not allowed"),
    404: lambda: _("Page not found"),
    409: lambda: _("This cannot be done now"),
}


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        status = exception.status_code
        if is_api(request):
            return JsonResponse(problem(status_code=status, detail=exception.detail, errors=exception.errors,
                                        type_=exception.code, title=str(exception.title)), status=status)
        detail = exception.detail
        if status == 404 and detail == str(exception.title):
            # A bare NotFound: say what a 404 means here without confirming the object exists.
            detail = _("The page does not exist, or it is not yours to see.")
        title = TITLES.get(status, lambda: str(exception.title))()
        return render(request, "frontend/error.html", {"title": title, "detail": detail, "status": status},
                      status=status)
