from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme

from bookings.rules import LOCAL_TZ


def safe_next(request, default: str = "/") -> str:
    """The `next` form field (or the referrer) when it points back into this site; else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or request.META.get("HTTP_REFERER") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return resolve_url(default)


def week_start(raw: str | None) -> date:
    """The Monday of the week holding `raw` (YYYY-MM-DD), or of this week when absent or invalid."""
    try:
        day = parse_date(raw) if raw else None
    except ValueError:
        day = None
    day = day or timezone.localdate()
    return day - timedelta(days=day.weekday())


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)
