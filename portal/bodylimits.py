"""Every JSON request body, whichever view it is for, is checked for depth and size before anything parses it
(allauth's headless endpoints parse JSON themselves; DRF views also check in portal.parsers.JSONParser)."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _

from portal.api import problem
from portal.parsers import MAX_DEPTH, json_depth


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class JSONBodyLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_json(request.META.get("CONTENT_TYPE", "")) and request.META.get("CONTENT_LENGTH", "0") not in ("", "0"):
            try:
                too_deep = json_depth(request.body) > MAX_DEPTH
            except RequestDataTooBig:
                return _refuse(_("The request body is too large."))
            if too_deep:
                return _refuse(_("The request body is nested too deeply."))
        return self.get_response(request)


def _refuse(detail: str) -> JsonResponse:
    return JsonResponse(problem(status_code=400, detail=detail), status=400)
