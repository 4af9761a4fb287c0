from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from bookings.rules import LOCAL_TZ

from .filters import WeekForm


def safe_next(request, default: str = "/") -> str:
    """The `next` form field (or the referrer) when it points back into this site; else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or request.META.get("HTTP_REFERER") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return resolve_url(default)


def week_start(raw: str | None) -> date:
    """The Monday of the week holding `raw` (YYYY-MM-DD), or of this week when absent or invalid."""
    form = WeekForm({"week": raw or ""})
    return _monday(form.cleaned_data["week"] if form.is_valid() else None)


def week_from(request) -> date:
    """The Monday of the week asked for by `?week=` (bounded like every date input); this week, with a message
    saying so, when the value is not a date the portal can show."""
    form = WeekForm(request.GET)
    if form.is_valid():
        return _monday(form.cleaned_data["week"])
    messages.warning(request, _("That week cannot be shown; here is this week."))
    return _monday(None)


def _monday(day: date | None) -> date:
    day = day or timezone.localdate()
    return day - timedelta(days=day.weekday())


def page_filters(request, filterset) -> dict:
    """The cleaned query parameters of a page: a bad one is left out, with a message naming it."""
    if not filterset.is_valid():
        for name, errors in filterset.form.errors.items():
            label = filterset.form.fields[name].label if name in filterset.form.fields else name
            messages.warning(request, _("“%(field)s” was ignored: %(error)s") % {"field": label,
                                                                                  "error": " ".join(errors)})
    return {name: filterset.form.cleaned_data.get(name) for name in filterset.form.fields}


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)
