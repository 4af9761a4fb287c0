"""Too many requests: one 429 answer, with Retry-After, for allauth's login lock-out and rate limits.

allauth reports a login lock-out as a form error (200 on the HTML page, 400 on the headless API);
AccountAdapter.pre_authenticate turns it into `login_locked_out()`. DRF throttles set Retry-After
themselves (portal/api.py makes sure of it); RetryAfterMiddleware gives every other 429 one.
"""

from __future__ import annotations

import math
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.api import problem


def _rates(action: str) -> list:
    return allauth_ratelimit.get_rates(app="allauth.account", action=action,
                                       config=account_settings.RATE_LIMITS)


def longest_window() -> int:
    """Seconds after which every allauth limit has certainly reset: the answer when the limit is unknown."""
    windows = [rate.duration for action in account_settings.RATE_LIMITS for rate in _rates(action)]
    return math.ceil(max(windows, default=60))


def retry_after(request: HttpRequest, *, action: str, key: str | None = None) -> int:
    """Seconds until `action` is allowed again for this client (and key): when the oldest hit that
    still counts against an exhausted rate leaves its window."""
    now, wait = time.time(), 0.0
    for rate in _rates(action):
        if (rate.per == "key" and key is None) or rate.per == "user":
            continue
        cache_key = allauth_ratelimit.get_cache_key(request, app="allauth.account", action=action, rate=rate,
                                                    key=key)
        history = [ts for ts in cache.get(cache_key, []) if ts > now - rate.duration]
        if len(history) >= rate.amount:  # newest first, as allauth stores it
            wait = max(wait, history[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait)) if wait else longest_window()


def too_many_requests(request: HttpRequest, *, retry_after: int, detail: str,
                      code: str = "too_many_requests") -> HttpResponse:
    if hasattr(getattr(request, "allauth", None), "headless"):
        from allauth.headless.internal.restkit.response import APIResponse

        response: HttpResponse = APIResponse(request, errors=[{"message": detail, "code": code}], status=429)
    elif request.path.startswith("/api/"):
        response = JsonResponse(problem(status_code=429, detail=detail, type_=code), status=429)
    else:
        minutes = max(1, math.ceil(retry_after / 60))
        response = render(request, "429.html", {
            "detail": detail,
            "wait": ngettext("Try again in %(minutes)d minute.", "Try again in %(minutes)d minutes.",
                             minutes) % {"minutes": minutes},
        }, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def login_locked_out(request: HttpRequest, *, key: str) -> HttpResponse:
    return too_many_requests(
        request, retry_after=retry_after(request, action="login_failed", key=key),
        detail=str(get_adapter().error_messages["too_many_login_attempts"]), code="too_many_login_attempts")


def handler429(request: HttpRequest) -> HttpResponse:
    """allauth renders `<ROOT_URLCONF>.handler429` for its other limits (sign-up, password reset...)."""
    return too_many_requests(request, retry_after=longest_window(),
                             detail=_("You have sent too many requests. Please wait a moment and try again."))


class RetryAfterMiddleware:
    """Every 429 says when to come back (allauth's headless limits answer without the header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(longest_window())
        return response
