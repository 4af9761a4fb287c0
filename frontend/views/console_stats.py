"""Staff console for statisticians: the dashboard of an organisation's subtree (charts with their tables and
CSV downloads), the printable annual asset statistics report, and yearly targets.

Reads come from portal.stats.selectors_pages (scoped: an organisation outside the statistician's subtrees is a
404), writes from portal.stats services. Charts are an enhancement drawn by static/frontend/stats-charts.js from
a json_script element; the tables beside them are the content and work without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from facilities.models import FacilityKind
from portal import exports
from portal.members.permissions import Action
from portal.stats import selectors_pages as selectors
from portal.stats.report import annual_report as annual_report_sections
from portal.stats.scope import stats_organisation
from portal.stats.targets import target_set, targets_for, year_elapsed

from ..access import staff_console
from ..stats_forms import StatsQueryForm, TargetsForm
from .console import _render

KEY = "stats"


def organisation_and_year(request):
    """`?org=&year=`: a malformed value is ignored with a message; an organisation out of scope is a 404."""
    form = StatsQueryForm(request.GET)
    form.is_valid()
    for name, errors in form.errors.items():
        messages.warning(request, _("“%(field)s” was ignored: %(error)s") % {
            "field": form.fields[name].label, "error": " ".join(errors)})
    data = getattr(form, "cleaned_data", {})
    organisation = stats_organisation(request.user, data.get("org"))
    return organisation, data.get("year") or timezone.localdate().year


def chart_data(d: dict) -> dict:
    """What stats-charts.js draws: labels and series only (the page's tables hold the same figures)."""
    return {
        "months": {
            "labels": [_("Month %(m)s") % {"m": row["month"]} for row in d["months"]],
            "series": [
                {"name": _("Online"), "values": [row["online_person_times"] for row in d["months"]]},
                {"name": _("On site"), "values": [row["person_times"] - row["online_person_times"]
                                                  for row in d["months"]]},
            ],
            "stack": True,
        },
        "children": {
            "labels": [row["organisation"].name for row in d["children"]],
            "series": [{"name": _("Person-times"), "values": [row["person_times"] for row in d["children"]]}],
            "horizontal": True,
        },
    }


@staff_console(action=Action.VIEW_STATS)
def dashboard(request):
    organisation, year = organisation_and_year(request)
    data = selectors.stats_dashboard(organisation=organisation, year=year)
    return _render(request, "frontend/console/stats/dashboard.html", {
        "d": data, "organisation": organisation, "year": year, "charts": chart_data(data),
        "elapsed": year_elapsed(year),
        "ancestors": selectors.stats_ancestors(actor=request.user, organisation=organisation),
        "years": list(reversed(selectors.stats_years())),
        "organisations": selectors.stats_organisations(actor=request.user, current=organisation),
        "query": f"org={organisation.pk}&year={year}",
    }, key=KEY)


def _share(value):
    return "" if value is None else value


def _table(d: dict, table: str):
    """Header and rows of one dashboard table, as shown on the page."""
    if table == "months":
        return ([_("Month"), _("Person-times"), _("Online"), _("Online share (%)"), _("Recuperation trips"),
                 _("Insured person-times")],
                [[r["month"], r["person_times"], r["online_person_times"], r["online_share"],
                  r["recuperation_trips"], r["insured_person_times"]] for r in d["months"]])
    if table == "children":
        own = [{**d["own"], "name": d["own"]["label"]}] if d["own"] else []
        rows = [[r.get("name") or r["organisation"].name, r["person_times"], r["online_share"],
                 r["recuperation_trips"], r["skilled_worker_share"], r["insured_person_times"]]
                for r in [*d["children"], *own]]
        return ([_("Organisation"), _("Person-times"), _("Online share (%)"), _("Recuperation trips"),
                 _("Skilled-worker share (%)"), _("Insured person-times")], rows)
    return ([_("Facility"), _("Kind"), _("Organisation"), _("Person-times"), _("Per 10,000 yuan of book value"),
             _("Per m² of floor area")],
            [[r["name"], FacilityKind(r["kind"]).label, r["organisation"], r["person_times"],
              _share(r["per_10k_yuan"]), _share(r["per_m2"])] for r in d["facility_rows"]])


TABLES = ("months", "children", "facilities")


@staff_console(action=Action.VIEW_STATS)
def dashboard_csv(request):
    """`?table=months|children|facilities` (months by default) of the dashboard as CSV, with its `?org=&year=`."""
    table = request.GET.get("table", "months")
    if table not in TABLES:
        raise Http404
    organisation, year = organisation_and_year(request)
    header, rows = _table(selectors.stats_dashboard(organisation=organisation, year=year), table)
    return exports.csv_response(f"stats-{organisation.pk}-{year}-{table}", header, rows)


@staff_console(action=Action.VIEW_STATS)
def annual_report(request):
    """The annual asset statistics report as a printable page: the same sections the workbook has a sheet for."""
    organisation, year = organisation_and_year(request)
    return _render(request, "frontend/console/stats/report.html", {
        "report": annual_report_sections(organisation=organisation, year=year), "organisation": organisation,
        "year": year, "years": list(reversed(selectors.stats_years())),
        "organisations": selectors.stats_organisations(actor=request.user, current=organisation),
        "query": f"org={organisation.pk}&year={year}",
    }, key=KEY)


@staff_console(action=Action.VIEW_STATS)
def targets(request):
    """Yearly targets of one organisation: one number per metric (blank leaves that target as it is)."""
    organisation, year = organisation_and_year(request)
    current = {t.metric: t.value for t in targets_for(organisation=organisation, year=year)}
    form = TargetsForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        for metric, value in form.targets().items():
            if current.get(metric) != value:
                target_set(actor=request.user, organisation=organisation, year=year, metric=metric, value=value)
        messages.success(request, _("Targets saved."))
        return redirect(f"{reverse('frontend:console:stats_dashboard')}?org={organisation.pk}&year={year}")
    return _render(request, "frontend/console/stats/targets.html", {
        "form": form, "organisation": organisation, "year": year,
        "years": list(reversed(selectors.stats_years())),
        "organisations": selectors.stats_organisations(actor=request.user, current=organisation),
        "query": f"org={organisation.pk}&year={year}",
    }, key=KEY, status=400 if request.method == "POST" else 200)
